#include <utility>

#include "common/time_format.h"
#include "http/service.h"

namespace lamina::http {

Status CallContext::Authorize(std::string action, std::string resource,
                              std::map<std::string, std::vector<std::string>> keys,
                              const ResourcePolicy& resource_policy) const {
  if (authorizer == nullptr || (role_name.empty() && !anonymous)) return Status::Ok();
  auth::AccessRequest request{std::move(action), std::move(resource), std::move(keys)};
  // For a role session AWS names the role, not the session, here.
  request.context["aws:PrincipalArn"] = {role_arn};
  request.context["aws:userid"] = {user_id};
  request.context["aws:PrincipalAccount"] = {account_id};
  request.context["aws:PrincipalType"] = {"AssumedRole"};
  request.context["aws:RequestedRegion"] = {region};
  request.context["aws:CurrentTime"] = {FormatIso8601Seconds(received_ms)};
  request.context["aws:EpochTime"] = {std::to_string(received_ms / 1000)};
  request.context["aws:SecureTransport"] = {"false"};
  if (!source_function_arn.empty()) {
    request.context["lambda:SourceFunctionArn"] = {source_function_arn};
  }
  auth::Decision decision = auth::Decision::kImplicitDeny;
  if (!anonymous) {
    ASSIGN_OR_RETURN(decision, authorizer->Check(role_name, request));
  }
  if (resource_policy) {
    auth::Decision own = resource_policy(request);
    if (own == auth::Decision::kExplicitDeny) {
      decision = own;
    } else if (own == auth::Decision::kAllowed && decision == auth::Decision::kImplicitDeny) {
      decision = own;
    }
  }
  if (decision == auth::Decision::kAllowed) return Status::Ok();
  return auth::AccessDenied(principal_arn, request, decision);
}

bool CallContext::AuthorizeIsQuick() const {
  return authorizer == nullptr || role_name.empty() || anonymous || authorizer->Ready(role_name);
}

}  // namespace lamina::http
