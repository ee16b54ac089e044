#include "services/s3/access.h"

#include <nlohmann/json.hpp>

#include "auth/resource_policy.h"

namespace lamina::services::s3 {

Status AuthorizeS3(const http::CallContext& context, ObjectStore& store, const std::string& bucket,
                   const std::string& action, const std::string& resource) {
  // The account's own keys skip the policy read entirely.
  if (context.role_name.empty() && !context.anonymous) return Status::Ok();
  http::CallContext::ResourcePolicy bucket_policy;
  if (!bucket.empty()) {
    ASSIGN_OR_RETURN(std::optional<std::string> document, store.GetConfig(bucket, "policy"));
    if (document) {
      auto policy =
          std::make_shared<nlohmann::json>(nlohmann::json::parse(*document, nullptr, false));
      auth::PolicyCaller caller{context.anonymous ? "" : context.account_id, context.role_arn,
                                context.anonymous ? "" : context.principal_arn, ""};
      bucket_policy = [policy, caller](const auth::AccessRequest& request) {
        return auth::EvaluateResourcePolicy(*policy, caller, request);
      };
    }
  }
  if (context.Authorize(action, resource, {}, bucket_policy).ok()) return Status::Ok();
  return PermissionDenied("Access Denied", "AccessDenied");
}

}  // namespace lamina::services::s3
