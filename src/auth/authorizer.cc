#include "auth/authorizer.h"

namespace lamina::auth {

Status AccessDenied(std::string_view principal_arn, const AccessRequest& request,
                    Decision decision) {
  std::string message = "User: " + std::string(principal_arn) +
                        " is not authorized to perform: " + request.action +
                        " on resource: " + request.resource;
  message += decision == Decision::kExplicitDeny
                 ? " with an explicit deny in an identity-based policy"
                 : " because no identity-based policy allows the " + request.action + " action";
  return PermissionDenied(std::move(message));
}

}  // namespace lamina::auth
