// IAM identity-policy evaluation: whether the policies attached to a principal allow a request.
//
// AWS's logic for one account and identity policies: a request is denied if any statement that
// applies to it says Deny (an explicit deny wins), else allowed if any that applies says Allow,
// else denied (the implicit deny). A statement applies when its Action (or NotAction), Resource
// (or NotResource) and every Condition hold. Actions match case-insensitively and resources
// case-sensitively, both with the '*' and '?' wildcards. Conditions: the String*, Arn*, Numeric*,
// Bool and Null operators, with IfExists, over the request's context keys (case-insensitive names,
// one or more values each; a condition with several values holds if any does, and the negated
// operators hold if none does).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace lamina::auth {

struct PolicyStatement;

// One parsed policy document.
class Policy {
 public:
  // Parses a policy document; InvalidArgument ("MalformedPolicyDocument") when it is not one:
  // not JSON, no Statement, an Effect other than Allow/Deny, neither or both of Action and
  // NotAction (or Resource and NotResource), or an unknown condition operator.
  static StatusOr<Policy> Parse(std::string_view document);

  Policy();
  ~Policy();
  Policy(Policy&&) noexcept;
  Policy& operator=(Policy&&) noexcept;

 private:
  friend class PolicyEvaluator;
  std::vector<PolicyStatement> statements_;
};

struct AccessRequest {
  std::string action;    // "s3:GetObject"
  std::string resource;  // an ARN, or "*"
  // Condition keys ("aws:SourceArn", "s3:prefix", ...) and their values; names are matched
  // case-insensitively.
  std::map<std::string, std::vector<std::string>> context;
};

enum class Decision { kAllowed, kExplicitDeny, kImplicitDeny };
std::string_view DecisionName(Decision d);  // "allowed", "explicitDeny", "implicitDeny"

class PolicyEvaluator {
 public:
  static Decision Evaluate(const std::vector<const Policy*>& policies,
                           const AccessRequest& request);
};

}  // namespace lamina::auth
