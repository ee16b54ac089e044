#include "services/logs/arns.h"

#include "services/logs/logs_errors.h"
#include "services/logs/shapes.h"
#include "services/logs/store_messages.h"

namespace lamina::services::logs {
namespace {

std::string GroupArnPrefix(const http::CallContext& context) {
  return "arn:aws:logs:" + context.region + ":" + context.account_id + ":log-group:";
}

}  // namespace

std::string LogGroupArn(const http::CallContext& context, std::string_view group) {
  return GroupArnPrefix(context) + std::string(group);
}

std::string LogStreamArn(const http::CallContext& context, std::string_view group,
                         std::string_view stream) {
  return LogGroupArn(context, group) + ":log-stream:" + std::string(stream);
}

StatusOr<std::string> GroupFromIdentifier(const http::CallContext& context,
                                          std::string_view identifier) {
  if (identifier.substr(0, 4) != "arn:") return std::string(identifier);
  // arn:<partition>:logs:<region>:<account>:log-group:<name>
  std::string_view rest = identifier;
  std::string_view parts[6];
  for (std::string_view& part : parts) {
    size_t colon = rest.find(':');
    if (colon == std::string_view::npos) return InvalidParameter("Invalid log group ARN.");
    part = rest.substr(0, colon);
    rest.remove_prefix(colon + 1);
  }
  if (parts[2] != "logs" || parts[5] != "log-group") {
    return InvalidParameter("Invalid log group ARN.");
  }
  if (!ValidLogGroupName(rest)) return InvalidParameter("Invalid log group ARN.");
  if (parts[3] != context.region || parts[4] != context.account_id) return NotFound(kNoSuchGroup);
  return std::string(rest);
}

}  // namespace lamina::services::logs
