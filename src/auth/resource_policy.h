// A function's resource-based policy (AddPermission's statements): who besides the account's own
// identities may act on the function, version or alias, and AWS's principals for them.
//
// Principals: "*"; {"AWS": an account root ARN} (the account: trusts its identity policies, so it
// grants a same-account caller nothing of its own); {"AWS": a role ARN} (that role's sessions);
// {"Service": "s3.amazonaws.com"} (a service acting for a resource, with aws:SourceArn and
// aws:SourceAccount in the context). The statement's Action, Resource and Condition are evaluated
// as identity policies are (auth/policy.h).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "auth/policy.h"

namespace lamina::auth {

struct PolicyCaller {
  std::string account_id;  // the caller's account
  std::string role_arn;    // for a role session: arn:aws:iam::<account>:role/<path><name>
  std::string session_arn;
  std::string service;  // for a service principal: "s3.amazonaws.com"
};

// What `policy` (a document {"Statement": [...]}, or null) decides for `caller`'s `request`.
Decision EvaluateResourcePolicy(const nlohmann::json& policy, const PolicyCaller& caller,
                                const AccessRequest& request);

}  // namespace lamina::auth
