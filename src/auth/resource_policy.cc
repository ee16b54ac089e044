#include "auth/resource_policy.h"

namespace lamina::auth {

using json = nlohmann::json;

namespace {

// Whether one principal value (a string of a Principal member) names `caller`.
bool Names(const std::string& kind, const std::string& value, const PolicyCaller& caller) {
  if (value == "*") return true;
  if (kind == "Service") return !caller.service.empty() && value == caller.service;
  if (kind != "AWS") return false;
  // An account (its id or root ARN) delegates to the account's identity policies: for a caller of
  // the same account that adds nothing, so it does not count as naming the caller here.
  return !caller.role_arn.empty() && (value == caller.role_arn || value == caller.session_arn);
}

bool NamesCaller(const json& principal, const PolicyCaller& caller) {
  if (principal.is_string()) return principal.get<std::string>() == "*";
  if (!principal.is_object()) return false;
  for (const auto& [kind, values] : principal.items()) {
    if (values.is_string() && Names(kind, values.get<std::string>(), caller)) return true;
    if (values.is_array()) {
      for (const json& v : values) {
        if (v.is_string() && Names(kind, v.get<std::string>(), caller)) return true;
      }
    }
  }
  return false;
}

}  // namespace

Decision EvaluateResourcePolicy(const json& policy, const PolicyCaller& caller,
                                const AccessRequest& request) {
  if (!policy.is_object() || !policy.contains("Statement")) return Decision::kImplicitDeny;
  json applying = json::array();
  const json& statements = policy["Statement"];
  for (const json& statement : statements.is_array() ? statements : json::array({statements})) {
    if (!statement.is_object() || !NamesCaller(statement.value("Principal", json()), caller)) {
      continue;
    }
    json copy = statement;
    copy.erase("Principal");
    applying.push_back(std::move(copy));
  }
  if (applying.empty()) return Decision::kImplicitDeny;
  auto parsed = Policy::Parse(json{{"Version", "2012-10-17"}, {"Statement", applying}}.dump());
  if (!parsed.ok()) return Decision::kImplicitDeny;
  return PolicyEvaluator::Evaluate({&*parsed}, request);
}

}  // namespace lamina::auth
