#include "services/logs/logs_service.h"

#include <nlohmann/json.hpp>
#include <string>

#include "common/log.h"
#include "services/logs/logs_errors.h"
#include "services/logs/operations.h"
#include "services/logs/request_reader.h"

namespace lamina::services::logs {
namespace {

constexpr std::string_view kTargetPrefix = "Logs_20140328.";

struct OperationEntry {
  std::string_view name;
  Operation run;
};

constexpr OperationEntry kOperations[] = {
    {"CreateLogGroup", CreateLogGroup},
    {"DeleteLogGroup", DeleteLogGroup},
    {"DescribeLogGroups", DescribeLogGroups},
    {"PutRetentionPolicy", PutRetentionPolicy},
    {"DeleteRetentionPolicy", DeleteRetentionPolicy},
    {"CreateLogStream", CreateLogStream},
    {"DeleteLogStream", DeleteLogStream},
    {"DescribeLogStreams", DescribeLogStreams},
    {"PutLogEvents", PutLogEvents},
    {"GetLogEvents", GetLogEvents},
    {"FilterLogEvents", FilterLogEvents},
};

// The resource a role's policy must allow: the log stream or group the request names, as IAM
// spells their ARNs, or "*".
std::string ResourceOf(const http::CallContext& context, const nlohmann::json& body) {
  auto group = body.find("logGroupName");
  if (group == body.end() || !group->is_string()) return "*";
  std::string arn = "arn:aws:logs:" + context.region + ":" + context.account_id +
                    ":log-group:" + group->get<std::string>();
  auto stream = body.find("logStreamName");
  if (stream != body.end() && stream->is_string()) {
    return arn + ":log-stream:" + stream->get<std::string>();
  }
  return arn + ":*";
}

}  // namespace

void LogsService::Handle(const http::CallContext& context, http::HttpRequest request,
                         http::Responder respond) {
  respond(Serve(context, request));
}

http::HttpResponse LogsService::Serve(const http::CallContext& context,
                                      const http::HttpRequest& request) {
  const std::string* target = request.Header("x-amz-target");
  if (target == nullptr || target->compare(0, kTargetPrefix.size(), kTargetPrefix) != 0) {
    return RenderError(context, UnknownOperation("Missing or unknown X-Amz-Target; expected " +
                                                 std::string(kTargetPrefix) + "<Operation>."));
  }
  const std::string_view name = std::string_view(*target).substr(kTargetPrefix.size());
  const OperationEntry* operation = nullptr;
  for (const OperationEntry& entry : kOperations) {
    if (entry.name == name) operation = &entry;
  }
  if (operation == nullptr) {
    return RenderError(context, UnknownOperation("Lamina does not implement the CloudWatch Logs "
                                                 "operation " +
                                                 std::string(name) + "."));
  }
  if (request.method != "POST") {
    return RenderError(context, UnknownOperation("CloudWatch Logs operations are POSTed."));
  }
  // An empty body is an empty request; anything else must be a JSON object.
  nlohmann::json body = request.body.empty() ? nlohmann::json::object()
                                             : nlohmann::json::parse(request.body, nullptr,
                                                                     /*allow_exceptions=*/false);
  if (body.is_discarded()) {
    return RenderError(context, SerializationError("The request body is not valid JSON."));
  }
  if (!body.is_object()) {
    return RenderError(context, SerializationError("The request body must be a JSON object."));
  }
  if (!context.role_name.empty()) {
    Status allowed = context.Authorize("logs:" + std::string(name), ResourceOf(context, body));
    if (!allowed.ok()) return RenderError(context, allowed);
  }
  if (catch_up_) catch_up_();
  RequestReader reader(body);
  LogsCall call{context, reader, *store_, *clock_};
  OpResult result = operation->run(call);
  if (!result.ok()) {
    if (result.status().code() == Code::kInternal) {
      log::Error("logs operation failed",
                 {{"operation", std::string(name)}, {"error", result.status().ToString()}});
    }
    return RenderError(context, result.status());
  }
  return JsonResponse(*result);
}

http::HttpResponse LogsService::RenderError(const http::CallContext&, const Status& status) const {
  return logs::RenderError(status);
}

}  // namespace lamina::services::logs
