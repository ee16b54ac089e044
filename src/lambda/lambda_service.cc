#include "lambda/lambda_service.h"

#include <string>
#include <vector>

#include "auth/resource_policy.h"
#include "common/log.h"
#include "lambda/errors.h"
#include "lambda/function_name.h"
#include "lambda/lambda_deps.h"
#include "lambda/operation.h"
#include "lambda/s3_event_targets.h"

namespace lamina::lambda {
namespace {

struct Route {
  const char* method;
  const char* pattern;  // segments; "{Name}" captures one decoded segment
  Operation operation;
  // The IAM action the router checks before the operation runs; null when the operation checks
  // itself (CreateFunction: its resource is in the body) or needs no check (code downloads are
  // presigned by the daemon).
  const char* action;
};

constexpr Route kRoutes[] = {
    {"POST", "/2015-03-31/functions", CreateFunction, nullptr},
    {"GET", "/2015-03-31/functions", ListFunctions, "lambda:ListFunctions"},
    {"GET", "/2015-03-31/functions/{FunctionName}", GetFunction, "lambda:GetFunction"},
    {"DELETE", "/2015-03-31/functions/{FunctionName}", DeleteFunction, "lambda:DeleteFunction"},
    {"GET", "/2015-03-31/functions/{FunctionName}/configuration", GetFunctionConfiguration,
     "lambda:GetFunctionConfiguration"},
    {"PUT", "/2015-03-31/functions/{FunctionName}/configuration", UpdateFunctionConfiguration,
     "lambda:UpdateFunctionConfiguration"},
    {"PUT", "/2015-03-31/functions/{FunctionName}/code", UpdateFunctionCode,
     "lambda:UpdateFunctionCode"},
    {"GET", "/2016-08-19/account-settings", GetAccountSettings, "lambda:GetAccountSettings"},
    {"PUT", "/2019-09-30/functions/{FunctionName}/provisioned-concurrency",
     PutProvisionedConcurrencyConfig, "lambda:PutProvisionedConcurrencyConfig"},
    {"GET", "/2019-09-30/functions/{FunctionName}/provisioned-concurrency",
     GetProvisionedConcurrencyConfig, "lambda:GetProvisionedConcurrencyConfig"},
    {"DELETE", "/2019-09-30/functions/{FunctionName}/provisioned-concurrency",
     DeleteProvisionedConcurrencyConfig, "lambda:DeleteProvisionedConcurrencyConfig"},
    {"POST", "/2015-03-31/functions/{FunctionName}/versions", PublishVersion,
     "lambda:PublishVersion"},
    {"GET", "/2015-03-31/functions/{FunctionName}/versions", ListVersionsByFunction,
     "lambda:ListVersionsByFunction"},
    {"PUT", "/2017-10-31/functions/{FunctionName}/concurrency", PutFunctionConcurrency,
     "lambda:PutFunctionConcurrency"},
    {"GET", "/2019-09-30/functions/{FunctionName}/concurrency", GetFunctionConcurrency,
     "lambda:GetFunctionConcurrency"},
    {"DELETE", "/2017-10-31/functions/{FunctionName}/concurrency", DeleteFunctionConcurrency,
     "lambda:DeleteFunctionConcurrency"},
    {"PUT", "/2019-09-25/functions/{FunctionName}/event-invoke-config",
     PutFunctionEventInvokeConfig, "lambda:PutFunctionEventInvokeConfig"},
    {"POST", "/2019-09-25/functions/{FunctionName}/event-invoke-config",
     UpdateFunctionEventInvokeConfig, "lambda:UpdateFunctionEventInvokeConfig"},
    {"GET", "/2019-09-25/functions/{FunctionName}/event-invoke-config",
     GetFunctionEventInvokeConfig, "lambda:GetFunctionEventInvokeConfig"},
    {"DELETE", "/2019-09-25/functions/{FunctionName}/event-invoke-config",
     DeleteFunctionEventInvokeConfig, "lambda:DeleteFunctionEventInvokeConfig"},
    {"GET", "/2019-09-25/functions/{FunctionName}/event-invoke-config/list",
     ListFunctionEventInvokeConfigs, "lambda:ListFunctionEventInvokeConfigs"},
    {"POST", "/2015-03-31/functions/{FunctionName}/aliases", CreateAlias, "lambda:CreateAlias"},
    {"GET", "/2015-03-31/functions/{FunctionName}/aliases", ListAliases, "lambda:ListAliases"},
    {"GET", "/2015-03-31/functions/{FunctionName}/aliases/{Name}", GetAlias, "lambda:GetAlias"},
    {"PUT", "/2015-03-31/functions/{FunctionName}/aliases/{Name}", UpdateAlias,
     "lambda:UpdateAlias"},
    {"DELETE", "/2015-03-31/functions/{FunctionName}/aliases/{Name}", DeleteAlias,
     "lambda:DeleteAlias"},
    {"POST", "/2015-03-31/functions/{FunctionName}/policy", AddPermission, "lambda:AddPermission"},
    {"GET", "/2015-03-31/functions/{FunctionName}/policy", GetPolicy, "lambda:GetPolicy"},
    {"DELETE", "/2015-03-31/functions/{FunctionName}/policy/{StatementId}", RemovePermission,
     "lambda:RemovePermission"},
    {"PUT", "/2024-08-31/functions/{FunctionName}/recursion-config", PutFunctionRecursionConfig,
     "lambda:PutFunctionRecursionConfig"},
    {"GET", "/2024-08-31/functions/{FunctionName}/recursion-config", GetFunctionRecursionConfig,
     "lambda:GetFunctionRecursionConfig"},
    {"POST", "/2017-03-31/tags/{Resource}", TagResource, "lambda:TagResource"},
    {"DELETE", "/2017-03-31/tags/{Resource}", UntagResource, "lambda:UntagResource"},
    {"GET", "/2017-03-31/tags/{Resource}", ListTags, "lambda:ListTags"},
    {"GET", "/_lamina/code/{Blob}", DownloadCode, nullptr},
    // Invoke answers asynchronously.
    {"POST", "/2015-03-31/functions/{FunctionName}/invocations", nullptr, "lambda:InvokeFunction"},
};

// Whether the caller may run `route`'s operation: its action on the function it names (the
// qualified ARN when a Qualifier is given), the tagged resource, or "*". A function name that
// does not parse is left to the operation, which reports it.
Status AuthorizeRoute(const Route& route, const OpContext& op) {
  if (route.action == nullptr || op.call.role_name.empty()) return Status::Ok();
  std::string resource = "*";
  http::CallContext::ResourcePolicy resource_policy;
  if (auto name = op.path.find("FunctionName"); name != op.path.end()) {
    auto ref = ParseFunctionName(name->second, "functionName", op.call.region, op.call.account_id);
    if (!ref.ok()) return Status::Ok();
    std::string qualifier = ref->qualifier;
    if (const std::string* q = op.Query("Qualifier")) qualifier = *q;
    resource = op.FunctionArn(ref->name, qualifier);
    // The function's own policy (of the version or alias named) may grant what the caller's
    // identity policies do not.
    auto record = op.deps.functions.Get(ref->name);
    if (record.ok() && *record) {
      if (const nlohmann::json* policy = (*record)->PolicyOf(qualifier)) {
        resource_policy = [document = *policy,
                           caller = auth::PolicyCaller{op.call.account_id, op.call.role_arn,
                                                       op.call.principal_arn,
                                                       ""}](const auth::AccessRequest& request) {
          return auth::EvaluateResourcePolicy(document, caller, request);
        };
      }
    }
  } else if (auto tagged = op.path.find("Resource"); tagged != op.path.end()) {
    resource = tagged->second;
  }
  return op.call.Authorize(route.action, std::move(resource), {}, resource_policy);
}

std::vector<std::string> Segments(std::string_view path) {
  std::vector<std::string> out;
  size_t pos = 1;
  while (pos <= path.size()) {
    size_t next = path.find('/', pos);
    if (next == std::string_view::npos) next = path.size();
    out.emplace_back(path.substr(pos, next - pos));
    pos = next + 1;
  }
  if (!out.empty() && out.back().empty()) out.pop_back();  // a trailing slash
  return out;
}

// Each route's pattern, split once (every request is matched against them).
const std::vector<std::string>& PatternSegments(const Route& route) {
  static const std::vector<std::vector<std::string>> split = [] {
    std::vector<std::vector<std::string>> out;
    for (const Route& r : kRoutes) out.push_back(Segments(r.pattern));
    return out;
  }();
  return split[static_cast<size_t>(&route - kRoutes)];
}

// Matches `path` against `route`'s pattern, capturing decoded parameters. A parameter may be an
// ARN with encoded or raw colons; it is one segment either way.
bool Match(const Route& route, const std::vector<std::string>& segments,
           std::map<std::string, std::string>& params, bool& bad_escape) {
  const std::vector<std::string>& want = PatternSegments(route);
  if (want.size() != segments.size()) return false;
  std::map<std::string, std::string> captured;
  for (size_t i = 0; i < want.size(); ++i) {
    if (want[i].front() == '{') {
      std::string decoded;
      if (!UriDecode(segments[i], decoded)) {
        bad_escape = true;
        return false;
      }
      if (decoded.empty()) return false;
      captured[want[i].substr(1, want[i].size() - 2)] = std::move(decoded);
    } else if (want[i] != segments[i]) {
      return false;
    }
  }
  params = std::move(captured);
  return true;
}

}  // namespace

LambdaService::LambdaService(store::Store* store, store::BlobStore* blobs, const Clock* clock,
                             const auth::Credential* code_signer, services::iam::IamService* iam,
                             invoke::Invoker* invoker, sandbox::CodeCache* code,
                             invoke::ConcurrencyLimits* concurrency)
    : deps_(new LambdaDeps{store, blobs, clock, code_signer, iam, invoker, code, concurrency}) {
  auto functions = deps_->functions.List("", 0);
  if (!functions.ok()) {
    log::Error("cannot read the functions' reserved concurrency",
               {{"error", functions.status().ToString()}});
    return;
  }
  for (const FunctionRecord& f : *functions) {
    if (f.reserved_concurrency) concurrency->SetReserved(f.name(), f.reserved_concurrency);
    // Provisioned concurrency is started again with the daemon.
    for (const auto& [version, config] : f.provisioned.items()) {
      Status started = ApplyProvisioned(*deps_, f, version, config.value("Requested", 0));
      if (!started.ok()) {
        log::Error("cannot provision", {{"function", f.name()}, {"error", started.ToString()}});
      }
    }
  }
}

LambdaService::~LambdaService() = default;

Status LambdaService::StartAsync(invoke::EventQueue* queue, boost::asio::io_context& io,
                                 AsyncOptions options) {
  async_ = std::make_unique<AsyncDispatcher>(deps_.get(), queue, io, std::move(options));
  deps_->async = async_.get();
  return async_->Start();
}

void LambdaService::StopAsync() {
  if (async_) async_->Stop();
}

std::unique_ptr<services::s3::EventTargets> LambdaService::NewS3EventTargets(
    std::string region, std::string account_id) {
  return std::make_unique<S3EventTargets>(deps_.get(), std::move(region), std::move(account_id));
}

bool LambdaService::RunsOnLoop(const http::CallContext& context,
                               const http::HttpRequest& request) const {
  // Larger payloads take a while to parse and to copy to the environment.
  constexpr size_t kMaxPayloadOnLoop = 64 * 1024;
  if (!deps_->invoker || !deps_->code || request.method != "POST" ||
      request.body.size() > kMaxPayloadOnLoop) {
    return false;
  }
  std::vector<std::string> segments = Segments(request.path);
  std::string name;
  if (segments.size() != 4 || segments[0] != "2015-03-31" || segments[1] != "functions" ||
      segments[3] != "invocations" || !UriDecode(segments[2], name)) {
    return false;
  }
  auto ref = ParseFunctionName(name, "functionName", context.region, context.account_id);
  if (!ref.ok()) return false;
  QueryParams query;
  if (!ParseQuery(request.query, query)) return false;
  for (const auto& [key, value] : query) {
    if (key == "Qualifier") ref->qualifier = value;
  }
  std::optional<std::string> blob = deps_->functions.CachedCodeBlob(ref->name, ref->qualifier);
  if (const std::string* type = request.Header("x-amz-invocation-type"); type && *type == "Event") {
    return blob.has_value();
  }
  return blob && deps_->code->IsUnpacked(*blob);
}

void LambdaService::Handle(const http::CallContext& context, http::HttpRequest request,
                           http::Responder respond) {
  std::vector<std::string> segments = Segments(request.path);
  bool bad_escape = false;
  bool path_known = false;
  for (const Route& route : kRoutes) {
    std::map<std::string, std::string> params;
    if (!Match(route, segments, params, bad_escape)) continue;
    path_known = true;
    if (request.method != route.method) continue;
    OpContext op{context, request, std::move(params), {}, *deps_};
    if (!ParseQuery(request.query, op.query)) {
      respond(RenderError(context, InvalidParameterValue("The query string is not well-formed.")));
      return;
    }
    if (Status allowed = AuthorizeRoute(route, op); !allowed.ok()) {
      respond(RenderError(context, allowed));
      return;
    }
    if (route.operation == nullptr) {
      Invoke(op, [respond](OpResult r) {
        respond(r.ok() ? std::move(*r) : lambda::RenderError(r.status()));
      });
      return;
    }
    OpResult result = route.operation(op);
    if (!result.ok()) {
      if (result.status().code() == Code::kInternal) {
        log::Error("lambda operation failed",
                   {{"path", request.path}, {"error", result.status().ToString()}});
      }
      respond(RenderError(context, result.status()));
      return;
    }
    respond(std::move(*result));
    return;
  }
  if (bad_escape) {
    respond(RenderError(context, InvalidParameterValue("The request path is not well-formed.")));
    return;
  }
  std::string message = path_known
                            ? "Method " + request.method + " is not allowed on " + request.path
                            : "No Lambda operation at " + request.path;
  respond(RenderError(context, Status(Code::kNotFound, message, "UnknownOperationException")));
}

http::HttpResponse LambdaService::RenderError(const http::CallContext&,
                                              const Status& status) const {
  return lambda::RenderError(status);
}

}  // namespace lamina::lambda
