#include "services/iam/trust_policy.h"

#include <nlohmann/json.hpp>

#include "common/glob.h"

namespace lamina::services::iam {
namespace {

using nlohmann::json;

// True when `value` is a string, or a list holding a string, that `match` accepts.
template <typename Match>
bool AnyOf(const json& value, Match match) {
  if (value.is_string()) return match(value.get<std::string>());
  if (!value.is_array()) return false;
  for (const json& item : value) {
    if (item.is_string() && match(item.get<std::string>())) return true;
  }
  return false;
}

bool ActionMatches(const json& statement) {
  if (!statement.contains("Action")) return false;
  return AnyOf(statement["Action"], [](const std::string& pattern) {
    return GlobMatch(pattern, "sts:AssumeRole", /*ignore_case=*/true);
  });
}

bool PrincipalMatches(const json& statement, std::string_view type,
                      const std::vector<std::string>& names) {
  if (!statement.contains("Principal")) return false;
  const json& principal = statement["Principal"];
  if (principal.is_string()) return principal.get<std::string>() == "*";
  if (!principal.is_object()) return false;
  auto is_star = [](const std::string& s) { return s == "*"; };
  if (principal.contains("AWS") && AnyOf(principal["AWS"], is_star)) return true;
  std::string key(type);
  return principal.contains(key) && AnyOf(principal[key], [&names](const std::string& s) {
           for (const std::string& name : names) {
             if (s == name) return true;
           }
           return false;
         });
}

bool EffectIs(const json& statement, std::string_view effect) {
  return statement.contains("Effect") && statement["Effect"].is_string() &&
         statement["Effect"].get<std::string>() == effect;
}

}  // namespace

bool TrustsLambda(std::string_view document) {
  return Trusts(document, "Service", {std::string(kLambdaServicePrincipal)});
}

bool Trusts(std::string_view document, std::string_view type,
            const std::vector<std::string>& names) {
  json policy = json::parse(document, nullptr, /*allow_exceptions=*/false);
  if (policy.is_discarded() || !policy.is_object() || !policy.contains("Statement")) return false;
  json statements = policy["Statement"];
  if (statements.is_object()) statements = json::array({statements});
  if (!statements.is_array()) return false;
  bool allowed = false;
  for (const json& statement : statements) {
    if (!statement.is_object() || statement.contains("NotAction") ||
        statement.contains("NotPrincipal")) {
      continue;
    }
    if (!ActionMatches(statement) || !PrincipalMatches(statement, type, names)) continue;
    if (EffectIs(statement, "Deny") && !statement.contains("Condition")) return false;
    if (EffectIs(statement, "Allow")) allowed = true;
  }
  return allowed;
}

}  // namespace lamina::services::iam
