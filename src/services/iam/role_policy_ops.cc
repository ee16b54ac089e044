// PutRolePolicy, GetRolePolicy, DeleteRolePolicy, ListRolePolicies: a role's inline policies.
#include <string>

#include "auth/policy.h"
#include "common/uri.h"
#include "services/iam/constraints.h"
#include "services/iam/iam_errors.h"
#include "services/iam/operations.h"
#include "services/iam/violations.h"

namespace lamina::services::iam {
namespace {

struct PolicyParams {
  const std::string* role_name = nullptr;
  const std::string* policy_name = nullptr;
};

PolicyParams ReadPolicyParams(const QueryArgs& args, Violations& violations) {
  PolicyParams params;
  params.role_name = RequiredParam(args, "RoleName", violations);
  if (params.role_name) CheckRoleName(violations, "RoleName", *params.role_name);
  params.policy_name = RequiredParam(args, "PolicyName", violations);
  if (params.policy_name) CheckPolicyName(violations, "PolicyName", *params.policy_name);
  return params;
}

}  // namespace

Status PutRolePolicy(const IamCall& call, XmlWriter&) {
  Violations violations;
  PolicyParams params = ReadPolicyParams(call.args, violations);
  const std::string* document = RequiredParam(call.args, "PolicyDocument", violations);
  if (document) CheckPolicyDocument(violations, "PolicyDocument", *document);
  RETURN_IF_ERROR(violations.ToStatus());
  RETURN_IF_ERROR(CheckPolicyJson(*document));
  // Statements must be ones the evaluator can apply.
  if (document->find("\"Statement\"") != std::string::npos) {
    if (auto policy = auth::Policy::Parse(*document); !policy.ok()) {
      return MalformedPolicyDocument(policy.status().message());
    }
  }
  return call.policies.PutInline(*params.role_name, *params.policy_name, *document);
}

Status GetRolePolicy(const IamCall& call, XmlWriter& result) {
  Violations violations;
  PolicyParams params = ReadPolicyParams(call.args, violations);
  RETURN_IF_ERROR(violations.ToStatus());
  ASSIGN_OR_RETURN(std::string document,
                   call.policies.GetInline(*params.role_name, *params.policy_name));
  result.Element("RoleName", *params.role_name);
  result.Element("PolicyName", *params.policy_name);
  // URL-encoded like every IAM policy document; botocore un-quotes it.
  result.Element("PolicyDocument", UriEncode(document));
  return Status::Ok();
}

Status DeleteRolePolicy(const IamCall& call, XmlWriter&) {
  Violations violations;
  PolicyParams params = ReadPolicyParams(call.args, violations);
  RETURN_IF_ERROR(violations.ToStatus());
  return call.policies.DeleteInline(*params.role_name, *params.policy_name);
}

Status ListRolePolicies(const IamCall& call, XmlWriter& result) {
  Violations violations;
  const std::string* role_name = RequiredParam(call.args, "RoleName", violations);
  if (role_name) CheckRoleName(violations, "RoleName", *role_name);
  PageRequest request = ReadPageRequest(call.args, violations);
  RETURN_IF_ERROR(violations.ToStatus());
  ASSIGN_OR_RETURN(Page page, call.policies.ListInline(*role_name, request));
  result.Open("PolicyNames");
  for (const store::Entry& entry : page.entries) {
    result.Element("member", std::string_view(entry.key).substr(entry.key.rfind('/') + 1));
  }
  result.Close();
  WritePageTail(page, result);
  return Status::Ok();
}

}  // namespace lamina::services::iam
