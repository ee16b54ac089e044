// Invoke: POST /2015-03-31/functions/{FunctionName}/invocations (synchronous and DryRun).
#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/crypto.h"
#include "lambda/async_dispatcher.h"
#include "lambda/errors.h"
#include "lambda/function_name.h"
#include "lambda/invocation_target.h"
#include "lambda/lineage.h"
#include "lambda/operation.h"

namespace lamina::lambda {

using json = nlohmann::json;

namespace {

constexpr size_t kMaxSyncPayload = 6 * 1024 * 1024;  // 6,291,456 bytes
constexpr size_t kMaxAsyncPayload = 1024 * 1024;     // 1,048,576 bytes
constexpr size_t kMaxClientContext = 3583;

const std::string* Header(const OpContext& op, const char* name) { return op.request.Header(name); }

Status NoSandboxes() {
  return Internal("This Lamina daemon cannot run functions: no sandbox support.",
                  "ServiceException");
}

http::HttpResponse ToResponse(const invoke::InvokeOutcome& outcome, bool tail,
                              const std::string& version) {
  const scheduler::InvocationResult& r = outcome.result;
  if (r.kind == scheduler::InvocationResult::Kind::kPlatformError) {
    return RenderError(Internal(r.payload, "ServiceException"));
  }
  if (r.kind == scheduler::InvocationResult::Kind::kThrottled) {
    return Throttled(r.payload, r.error_type);
  }
  http::HttpResponse response = JsonResponse(200, r.payload);
  response.SetHeader("X-Amz-Executed-Version", version);
  if (r.kind == scheduler::InvocationResult::Kind::kFunctionError) {
    response.SetHeader("X-Amz-Function-Error", "Unhandled");
  }
  if (tail) response.SetHeader("X-Amz-Log-Result", Base64Encode(outcome.log_tail));
  return response;
}

}  // namespace

scheduler::FunctionSpec SpecOf(const FunctionRecord& record, const std::string& code_dir) {
  const json& c = record.configuration;
  scheduler::FunctionSpec spec;
  spec.name = record.name();
  // arn:aws:lambda:<region>:<account>:function:<name>[:<version>], kept unqualified.
  spec.arn = c.value("FunctionArn", "");
  if (std::count(spec.arn.begin(), spec.arn.end(), ':') == 7) {
    spec.arn.erase(spec.arn.rfind(':'));
  }
  spec.revision_id = record.revision_id();
  spec.version = c.value("Version", "$LATEST");
  spec.runtime = c.value("Runtime", "");
  spec.handler = c.value("Handler", "");
  spec.memory_mb = c.value("MemorySize", 128);
  spec.timeout_s = c.value("Timeout", 3);
  spec.tmp_mb = c.contains("EphemeralStorage") ? c["EphemeralStorage"].value("Size", 512) : 512;
  if (auto env = c.find("Environment"); env != c.end()) {
    if (auto vars = env->find("Variables"); vars != env->end()) {
      for (const auto& [k, v] : vars->items())
        spec.environment.emplace_back(k, v.get<std::string>());
    }
  }
  spec.code_dir = code_dir;
  const json logging = c.value("LoggingConfig", json::object());
  spec.log_group = logging.value("LogGroup", "/aws/lambda/" + spec.name);
  spec.log_format = logging.value("LogFormat", "Text");
  spec.application_log_level = logging.value("ApplicationLogLevel", "");
  spec.role_arn = c.value("Role", "");
  spec.wants_outbound_network = WantsOutboundNetwork(record);
  size_t region_at = spec.arn.find(':', spec.arn.find(':', 4) + 1) + 1;
  spec.region = spec.arn.substr(region_at, spec.arn.find(':', region_at) - region_at);
  return spec;
}

void Invoke(OpContext& op, std::function<void(OpResult)> done) {
  auto fail = [&done](Status s) { done(std::move(s)); };
  auto ref = InvokedFunction(op);
  if (!ref.ok()) return fail(ref.status());
  auto target = ResolveTarget(op.deps, op.call.region, op.call.account_id, *ref);
  if (!target.ok()) return fail(target.status());
  const FunctionRecord* record = target->version.get();

  std::string type = "RequestResponse";
  if (const std::string* t = Header(op, "x-amz-invocation-type")) type = *t;
  if (type != "RequestResponse" && type != "Event" && type != "DryRun") {
    return fail(ValidationError("1 validation error detected: Value '" + type +
                                "' at 'invocationType' failed to satisfy constraint: Member must "
                                "satisfy enum value set: [Event, RequestResponse, DryRun]"));
  }
  std::string log_type = "None";
  if (const std::string* t = Header(op, "x-amz-log-type")) log_type = *t;
  if (log_type != "None" && log_type != "Tail") {
    return fail(ValidationError("1 validation error detected: Value '" + log_type +
                                "' at 'logType' failed to satisfy constraint: Member must "
                                "satisfy enum value set: [None, Tail]"));
  }
  size_t limit = type == "Event" ? kMaxAsyncPayload : kMaxSyncPayload;
  if (op.request.body.size() > limit) {
    return fail(TooLarge("Request must be smaller than " + std::to_string(limit) +
                             " bytes for the InvokeFunction operation",
                         "RequestTooLargeException"));
  }
  std::string payload = op.request.body.empty() ? "{}" : op.request.body;
  if (json::parse(payload, nullptr, false).is_discarded()) {
    return fail(
        InvalidRequestContent("Could not parse request body into json: Could not parse "
                              "payload into json: the payload is not valid JSON"));
  }
  std::string client_context;
  if (const std::string* cc = Header(op, "x-amz-client-context"); cc && !cc->empty()) {
    if (cc->size() > kMaxClientContext || !Base64Decode(*cc, client_context) ||
        json::parse(client_context, nullptr, false).is_discarded()) {
      return fail(
          InvalidRequestContent("Client context must be a valid Base64-encoded JSON "
                                "object."));
    }
  }
  const json& c = record->configuration;
  if (c.value("State", "Active") != "Active") {
    return fail(
        ResourceConflict("The operation cannot be performed at this time. The function "
                         "is currently in the following state: " +
                         c.value("State", "")));
  }
  if (type == "DryRun") {
    http::HttpResponse r;
    r.status = 204;
    return done(r);
  }
  // The chain of invocations this one belongs to (a function calling Invoke sends its own trace
  // header on), for the recursion guard.
  const std::string* incoming = Header(op, "x-amzn-trace-id");
  TraceLineage lineage =
      NextLineage(incoming ? *incoming : "", op.FunctionArn(ref->name), op.deps.clock->NowMillis());
  if (type == "Event") {
    if (!op.deps.async) return fail(NoSandboxes());
    invoke::QueuedEvent event;
    event.function = ref->name;
    event.qualifier = ref->qualifier;
    event.request_id = op.call.request_id;
    event.payload = std::move(payload);
    event.received_ms = op.deps.clock->NowMillis();
    event.next_attempt_ms = event.received_ms;
    event.trace_header = std::move(lineage.header);
    std::vector<invoke::QueuedEvent> events;
    events.push_back(std::move(event));
    op.deps.async->Accept(std::move(events), [done](Status stored) {
      if (!stored.ok()) {
        return done(
            Internal("The event could not be queued: " + stored.message(), "ServiceException"));
      }
      http::HttpResponse accepted;
      accepted.status = 202;
      done(std::move(accepted));
    });
    return;
  }
  if (lineage.count > kRecursionLimit && target->function->recursive_loop != "Allow") {
    return fail(Status(Code::kInvalidArgument,
                       "Lambda has detected your function being invoked in a recursive loop "
                       "with other AWS resources and stopped your function's invocation.",
                       "RecursiveInvocationException"));
  }
  if (!op.deps.invoker || !op.deps.code) return fail(NoSandboxes());
  auto code_dir = op.deps.code->Materialize(record->code_blob);
  if (!code_dir.ok()) return fail(code_dir.status());
  invoke::ConcurrencyLimits::Slot slot;
  if (auto reason = op.deps.concurrency->Acquire(record->name(), slot)) {
    return done(Throttled(*reason));
  }

  scheduler::InvocationRequest request;
  // One id for the call and the invocation, as on AWS: x-amzn-RequestId, the context's
  // aws_request_id and the START/END/REPORT lines all name it.
  request.request_id = op.call.request_id;
  request.payload = std::move(payload);
  request.invoked_arn = target->invoked_arn;  // qualified when the caller qualified it
  request.client_context = std::move(client_context);
  request.trace_id = std::move(lineage.header);
  bool tail = log_type == "Tail";
  op.deps.invoker->Invoke(SpecOf(*record, *code_dir), std::move(request),
                          [done, tail, limits = op.deps.concurrency, slot = std::move(slot),
                           version = target->executed_version](invoke::InvokeOutcome outcome) {
                            limits->Release(slot);
                            done(ToResponse(outcome, tail, version));
                          });
}

}  // namespace lamina::lambda
