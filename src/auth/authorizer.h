// Authorisation of authenticated requests by identity policies.
//
// The account's own long-term keys act as its root and may do anything. Temporary credentials of
// an assumed role (STS AssumeRole, a function's execution role) may do what the role's policies
// allow: its inline policies and the managed policies attached to it whose documents Lamina
// knows. Services ask through http::CallContext::Authorize once they know the operation's IAM
// action and resource.
#pragma once

#include <string>
#include <string_view>

#include "auth/policy.h"
#include "common/status.h"

namespace lamina::auth {

class Authorizer {
 public:
  virtual ~Authorizer() = default;
  // Whether Check for this role would answer from memory, without reading the store; callers on
  // an event loop go elsewhere when it would not.
  virtual bool Ready(std::string_view role_name) const = 0;
  // What the role's identity policies decide for `request`. A role that no longer exists
  // allows nothing. Thread-safe; may read the store.
  virtual StatusOr<Decision> Check(std::string_view role_name,
                                   const AccessRequest& request) const = 0;
};

// kPermissionDenied in AWS's words: "User: {principal} is not authorized to perform: {action} on
// resource: {resource} because no identity-based policy allows the {action} action" (or "with an
// explicit deny in an identity-based policy").
Status AccessDenied(std::string_view principal_arn, const AccessRequest& request,
                    Decision decision);

}  // namespace lamina::auth
