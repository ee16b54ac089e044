#include "services/iam/assume_role.h"

#include <optional>
#include <string>
#include <vector>

#include "common/time_format.h"
#include "services/iam/arns.h"
#include "services/iam/constraints.h"
#include "services/iam/iam_errors.h"
#include "services/iam/role.h"
#include "services/iam/trust_policy.h"
#include "services/iam/violations.h"

namespace lamina::services::iam {
namespace {

constexpr int64_t kChainedSessionLimitS = 3600;

Status NotAuthorized(const http::CallContext& context, const std::string& role_arn) {
  return PermissionDenied("User: " + context.principal_arn +
                          " is not authorized to perform: sts:AssumeRole on resource: " + role_arn);
}

// The names under which a trust policy can name the caller itself.
std::vector<std::string> CallerNames(const http::CallContext& context) {
  std::vector<std::string> names = {context.principal_arn};
  if (!context.role_arn.empty()) names.push_back(context.role_arn);
  return names;
}

}  // namespace

Status AssumeRole(const http::CallContext& context, const QueryArgs& args, const RoleStore& roles,
                  const auth::SessionCredentials& sessions, const Clock& clock, XmlWriter& result) {
  Violations violations;
  const std::string* role_arn = RequiredParam(args, "RoleArn", violations);
  if (role_arn) CheckArnLength(violations, "RoleArn", *role_arn);
  const std::string* session_name = RequiredParam(args, "RoleSessionName", violations);
  if (session_name) CheckRoleSessionName(violations, "RoleSessionName", *session_name);
  std::optional<int64_t> duration = IntParam(args, "DurationSeconds", 900, 43200, violations);
  RETURN_IF_ERROR(violations.ToStatus());
  if (args.Find("Policy") || args.Find("PolicyArns") || args.Find("PolicyArns.member.1.arn")) {
    return ValidationError("Lamina does not support session policies (Policy, PolicyArns).");
  }

  std::optional<RoleArnParts> arn = ParseRoleArn(*role_arn);
  if (!arn || arn->account_id != context.account_id) return NotAuthorized(context, *role_arn);
  ASSIGN_OR_RETURN(std::optional<StoredRole> found, roles.Find(arn->name));
  if (!found || found->role.path != arn->path) return NotAuthorized(context, *role_arn);
  const Role& role = found->role;

  // Named in the trust policy, the caller needs nothing more; trusted through its account, it
  // also needs its own permission (the account's root keys have every permission).
  const std::string& trust = role.assume_role_policy_document;
  if (!Trusts(trust, "AWS", CallerNames(context))) {
    std::string root = "arn:aws:iam::" + context.account_id + ":root";
    if (!Trusts(trust, "AWS", {root, context.account_id})) {
      return NotAuthorized(context, *role_arn);
    }
    if (!context.Authorize("sts:AssumeRole", *role_arn).ok()) {
      return NotAuthorized(context, *role_arn);
    }
  }

  int64_t seconds = duration.value_or(3600);
  if (!context.role_name.empty() && seconds > kChainedSessionLimitS) {
    return ValidationError(
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role "
        "chaining.");
  }
  if (seconds > role.max_session_duration) {
    return ValidationError(
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
  }

  auth::SessionClaims claims{context.account_id, role.name,
                             role.path,          role.id,
                             *session_name,      clock.NowMillis() + seconds * 1000};
  auth::Credential credential = sessions.Issue(claims);
  result.Open("Credentials");
  result.Element("AccessKeyId", credential.access_key_id);
  result.Element("SecretAccessKey", credential.secret_access_key);
  result.Element("SessionToken", credential.session_token);
  result.Element("Expiration", FormatIso8601Seconds(credential.expires_ms));
  result.Close();
  result.Open("AssumedRoleUser");
  result.Element("AssumedRoleId", credential.user_id);
  result.Element("Arn", credential.principal_arn);
  result.Close();
  return Status::Ok();
}

}  // namespace lamina::services::iam
