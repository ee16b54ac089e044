// AttachRolePolicy, DetachRolePolicy, ListAttachedRolePolicies: managed policies on a role.
//
// Lamina keeps no managed policies of its own: any well-formed policy ARN, AWS-managed
// (arn:aws:iam::aws:policy/...) or customer-managed (arn:aws:iam::<account>:policy/...), can be
// attached, so templates written for AWS work unchanged.
#include <optional>
#include <string>

#include "services/iam/arns.h"
#include "services/iam/constraints.h"
#include "services/iam/iam_errors.h"
#include "services/iam/operations.h"
#include "services/iam/violations.h"

namespace lamina::services::iam {
namespace {

struct AttachParams {
  const std::string* role_name = nullptr;
  const std::string* policy_arn = nullptr;
};

AttachParams ReadAttachParams(const QueryArgs& args, Violations& violations) {
  AttachParams params;
  params.role_name = RequiredParam(args, "RoleName", violations);
  if (params.role_name) CheckRoleName(violations, "RoleName", *params.role_name);
  params.policy_arn = RequiredParam(args, "PolicyArn", violations);
  if (params.policy_arn) CheckArnLength(violations, "PolicyArn", *params.policy_arn);
  return params;
}

Status InvalidPolicyArn(const std::string& arn) {
  return InvalidInput("ARN " + arn + " is not valid.");
}

}  // namespace

Status AttachRolePolicy(const IamCall& call, XmlWriter&) {
  Violations violations;
  AttachParams params = ReadAttachParams(call.args, violations);
  RETURN_IF_ERROR(violations.ToStatus());
  std::optional<PolicyArnParts> arn = ParsePolicyArn(*params.policy_arn);
  if (!arn) return InvalidPolicyArn(*params.policy_arn);
  return call.policies.Attach(*params.role_name, {*params.policy_arn, arn->name});
}

Status DetachRolePolicy(const IamCall& call, XmlWriter&) {
  Violations violations;
  AttachParams params = ReadAttachParams(call.args, violations);
  RETURN_IF_ERROR(violations.ToStatus());
  if (!ParsePolicyArn(*params.policy_arn)) return InvalidPolicyArn(*params.policy_arn);
  return call.policies.Detach(*params.role_name, *params.policy_arn);
}

Status ListAttachedRolePolicies(const IamCall& call, XmlWriter& result) {
  Violations violations;
  const std::string* role_name = RequiredParam(call.args, "RoleName", violations);
  if (role_name) CheckRoleName(violations, "RoleName", *role_name);
  std::string path_prefix = "/";
  if (const std::string* prefix = call.args.Find("PathPrefix")) {
    CheckPathPrefix(violations, "PathPrefix", *prefix);
    path_prefix = *prefix;
  }
  PageRequest request = ReadPageRequest(call.args, violations);
  RETURN_IF_ERROR(violations.ToStatus());
  ASSIGN_OR_RETURN(Page page, call.policies.ListAttached(*role_name, path_prefix, request));
  result.Open("AttachedPolicies");
  for (const store::Entry& entry : page.entries) {
    ASSIGN_OR_RETURN(AttachedPolicy policy, DecodeAttachedPolicy(entry.value));
    result.Open("member");
    result.Element("PolicyName", policy.name);
    result.Element("PolicyArn", policy.arn);
    result.Close();
  }
  result.Close();
  WritePageTail(page, result);
  return Status::Ok();
}

}  // namespace lamina::services::iam
