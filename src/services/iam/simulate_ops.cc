// SimulateCustomPolicy and SimulatePrincipalPolicy: evaluate policy documents (given, or a role's
// own) against actions and resources with Lamina's policy evaluator (auth/policy.h), as AWS's
// policy simulator does for identity policies.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "auth/policy.h"
#include "services/iam/arns.h"
#include "services/iam/iam_errors.h"
#include "services/iam/operations.h"
#include "services/iam/violations.h"

namespace lamina::services::iam {
namespace {

// Name.member.1, Name.member.2, ... up to the first missing index.
std::vector<std::string> Members(const QueryArgs& args, const std::string& name) {
  std::vector<std::string> out;
  for (size_t n = 1;; ++n) {
    const std::string* v = args.Find(name + ".member." + std::to_string(n));
    if (v == nullptr) break;
    out.push_back(*v);
  }
  return out;
}

// ContextEntries.member.N.ContextKeyName and .ContextKeyValues.member.M.
std::map<std::string, std::vector<std::string>> ContextEntries(const QueryArgs& args) {
  std::map<std::string, std::vector<std::string>> out;
  for (size_t n = 1;; ++n) {
    std::string base = "ContextEntries.member." + std::to_string(n);
    const std::string* key = args.Find(base + ".ContextKeyName");
    if (key == nullptr) break;
    out[*key] = Members(args, base + ".ContextKeyValues");
  }
  return out;
}

// Parses the PolicyInputList documents into `parsed`.
Status ParseInputs(const std::vector<std::string>& documents, std::vector<auth::Policy>& parsed) {
  for (const std::string& document : documents) {
    auto policy = auth::Policy::Parse(document);
    if (!policy.ok()) return MalformedPolicyDocument(policy.status().message());
    parsed.push_back(std::move(*policy));
  }
  return Status::Ok();
}

// Evaluates every action on every resource (default "*") and writes the results.
void WriteEvaluation(const IamCall& call, const std::vector<const auth::Policy*>& policies,
                     const std::vector<std::string>& actions, XmlWriter& result) {
  std::vector<std::string> resources = Members(call.args, "ResourceArns");
  if (resources.empty()) resources.push_back("*");
  auto context = ContextEntries(call.args);
  result.Open("EvaluationResults");
  for (const std::string& action : actions) {
    for (const std::string& resource : resources) {
      auth::Decision decision =
          auth::PolicyEvaluator::Evaluate(policies, {action, resource, context});
      result.Open("member");
      result.Element("EvalActionName", action);
      result.Element("EvalResourceName", resource);
      result.Element("EvalDecision", auth::DecisionName(decision));
      result.Open("MatchedStatements");
      result.Close();
      result.Open("MissingContextValues");
      result.Close();
      result.Close();
    }
  }
  result.Close();
  result.Element("IsTruncated", "false");
}

}  // namespace

Status SimulateCustomPolicy(const IamCall& call, XmlWriter& result) {
  Violations violations;
  std::vector<std::string> documents = Members(call.args, "PolicyInputList");
  std::vector<std::string> actions = Members(call.args, "ActionNames");
  if (documents.empty()) violations.Add("PolicyInputList", nullptr, "Member must not be null");
  if (actions.empty()) violations.Add("ActionNames", nullptr, "Member must not be null");
  RETURN_IF_ERROR(violations.ToStatus());
  std::vector<auth::Policy> policies;
  RETURN_IF_ERROR(ParseInputs(documents, policies));
  std::vector<const auth::Policy*> pointers;
  for (const auth::Policy& p : policies) pointers.push_back(&p);
  WriteEvaluation(call, pointers, actions, result);
  return Status::Ok();
}

Status SimulatePrincipalPolicy(const IamCall& call, XmlWriter& result) {
  Violations violations;
  const std::string* source = RequiredParam(call.args, "PolicySourceArn", violations);
  std::vector<std::string> actions = Members(call.args, "ActionNames");
  if (actions.empty()) violations.Add("ActionNames", nullptr, "Member must not be null");
  RETURN_IF_ERROR(violations.ToStatus());
  // Lamina's principals are roles (and their sessions); it has no users or groups.
  std::optional<RoleArnParts> arn = ParseRoleArn(*source);
  if (!arn || arn->account_id != call.context.account_id) {
    return InvalidInput("Invalid ARN " + *source + ": Lamina simulates the policies of roles.");
  }
  ASSIGN_OR_RETURN(StoredRole role, call.roles.Get(arn->name));
  if (role.role.path != arn->path) return NoSuchRole(arn->name);
  ASSIGN_OR_RETURN(std::shared_ptr<const RoleAuthorizer::Policies> attached,
                   call.authorizer.Load(arn->name));
  std::vector<auth::Policy> extra;
  RETURN_IF_ERROR(ParseInputs(Members(call.args, "PolicyInputList"), extra));
  std::vector<const auth::Policy*> pointers;
  for (const auth::Policy& p : *attached) pointers.push_back(&p);
  for (const auth::Policy& p : extra) pointers.push_back(&p);
  WriteEvaluation(call, pointers, actions, result);
  return Status::Ok();
}

}  // namespace lamina::services::iam
