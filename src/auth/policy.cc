#include "auth/policy.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "common/glob.h"

namespace lamina::auth {

using nlohmann::json;

struct PolicyCondition {
  std::string op;  // without "IfExists"
  bool if_exists = false;
  std::string key;  // lower-cased
  std::vector<std::string> values;
};

struct PolicyStatement {
  bool allow = false;
  bool not_action = false;
  std::vector<std::string> actions;
  bool not_resource = false;
  std::vector<std::string> resources;
  std::vector<PolicyCondition> conditions;
};

namespace {

constexpr const char* kOperators[] = {
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "ArnEquals",
    "ArnNotEquals",
    "ArnLike",
    "ArnNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "Bool",
    "Null",
};

Status Malformed(const std::string& why) {
  return InvalidArgument("Syntax errors in policy: " + why, "MalformedPolicyDocument");
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// A string or a list of strings (condition values may also be numbers or booleans).
StatusOr<std::vector<std::string>> Strings(const json& value, const char* member) {
  std::vector<std::string> out;
  auto one = [&](const json& v) -> Status {
    if (v.is_string()) {
      out.push_back(v.get<std::string>());
    } else if (v.is_boolean()) {
      out.push_back(v.get<bool>() ? "true" : "false");
    } else if (v.is_number()) {
      out.push_back(v.dump());
    } else {
      return Malformed(std::string(member) + " must hold strings");
    }
    return Status::Ok();
  };
  if (value.is_array()) {
    for (const json& v : value) RETURN_IF_ERROR(one(v));
  } else {
    RETURN_IF_ERROR(one(value));
  }
  return out;
}

// Reads Name or NotName (exactly one of them) into `values`.
Status Either(const json& statement, const char* name, const char* not_name,
              std::vector<std::string>& values, bool& negated) {
  bool has = statement.contains(name), has_not = statement.contains(not_name);
  if (has == has_not) {
    return Malformed(std::string("a statement needs exactly one of ") + name + " and " + not_name);
  }
  negated = has_not;
  ASSIGN_OR_RETURN(values, Strings(statement[has ? name : not_name], has ? name : not_name));
  return Status::Ok();
}

StatusOr<PolicyStatement> ParseStatement(const json& s) {
  if (!s.is_object()) return Malformed("a statement must be an object");
  PolicyStatement out;
  const json effect = s.value("Effect", json());
  if (effect != "Allow" && effect != "Deny") return Malformed("Effect must be Allow or Deny");
  out.allow = effect == "Allow";
  RETURN_IF_ERROR(Either(s, "Action", "NotAction", out.actions, out.not_action));
  RETURN_IF_ERROR(Either(s, "Resource", "NotResource", out.resources, out.not_resource));
  if (auto c = s.find("Condition"); c != s.end()) {
    if (!c->is_object()) return Malformed("Condition must be an object");
    for (const auto& [op, keys] : c->items()) {
      std::string base = op;
      bool if_exists = base.size() > 8 && base.compare(base.size() - 8, 8, "IfExists") == 0;
      if (if_exists) base.resize(base.size() - 8);
      if (std::find_if(std::begin(kOperators), std::end(kOperators),
                       [&](const char* k) { return base == k; }) == std::end(kOperators)) {
        return Malformed("unsupported condition operator " + op);
      }
      if (!keys.is_object()) return Malformed("condition " + op + " must map keys to values");
      for (const auto& [key, values] : keys.items()) {
        PolicyCondition cond{base, if_exists, Lower(key), {}};
        ASSIGN_OR_RETURN(cond.values, Strings(values, "Condition"));
        out.conditions.push_back(std::move(cond));
      }
    }
  }
  return out;
}

bool AnyMatches(const std::vector<std::string>& patterns, std::string_view text, bool ignore_case) {
  return std::any_of(patterns.begin(), patterns.end(),
                     [&](const std::string& p) { return GlobMatch(p, text, ignore_case); });
}

bool Compare(const std::string& op, const std::string& actual, const std::string& wanted) {
  if (op == "StringEquals" || op == "ArnEquals") return actual == wanted;
  if (op == "StringEqualsIgnoreCase") return Lower(actual) == Lower(wanted);
  if (op == "StringLike" || op == "ArnLike") return GlobMatch(wanted, actual, false);
  if (op == "Bool") return Lower(actual) == Lower(wanted);
  if (op.rfind("Numeric", 0) == 0) {
    char* end_a = nullptr;
    char* end_w = nullptr;
    double a = std::strtod(actual.c_str(), &end_a), w = std::strtod(wanted.c_str(), &end_w);
    if (end_a == actual.c_str() || end_w == wanted.c_str()) return false;
    if (op == "NumericEquals") return a == w;
    if (op == "NumericLessThan") return a < w;
    if (op == "NumericLessThanEquals") return a <= w;
    if (op == "NumericGreaterThan") return a > w;
    if (op == "NumericGreaterThanEquals") return a >= w;
  }
  return false;
}

// The positive form of a negated operator ("StringNotLike" -> "StringLike"), or "".
std::string Positive(const std::string& op) {
  size_t at = op.find("Not");
  if (at == std::string::npos) return "";
  return op.substr(0, at) + op.substr(at + 3);
}

bool Holds(const PolicyCondition& c, const AccessRequest& request) {
  const std::vector<std::string>* actual = nullptr;
  for (const auto& [key, values] : request.context) {
    if (Lower(key) == c.key) actual = &values;
  }
  if (c.op == "Null") {  // "true": the key must be absent; "false": present
    bool absent = actual == nullptr || actual->empty();
    return std::any_of(c.values.begin(), c.values.end(),
                       [&](const std::string& v) { return (Lower(v) == "true") == absent; });
  }
  if (actual == nullptr || actual->empty()) return c.if_exists;
  std::string positive = Positive(c.op);
  const std::string& op = positive.empty() ? c.op : positive;
  bool any = false;
  for (const std::string& a : *actual) {
    for (const std::string& w : c.values) any = any || Compare(op, a, w);
  }
  return positive.empty() ? any : !any;
}

bool Applies(const PolicyStatement& s, const AccessRequest& request) {
  if (AnyMatches(s.actions, request.action, /*ignore_case=*/true) == s.not_action) return false;
  if (AnyMatches(s.resources, request.resource, /*ignore_case=*/false) == s.not_resource) {
    return false;
  }
  return std::all_of(s.conditions.begin(), s.conditions.end(),
                     [&](const PolicyCondition& c) { return Holds(c, request); });
}

}  // namespace

Policy::Policy() = default;
Policy::~Policy() = default;
Policy::Policy(Policy&&) noexcept = default;
Policy& Policy::operator=(Policy&&) noexcept = default;

StatusOr<Policy> Policy::Parse(std::string_view document) {
  json doc = json::parse(document, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return Malformed("the document is not JSON");
  auto statements = doc.find("Statement");
  if (statements == doc.end()) return Malformed("the document has no Statement");
  Policy policy;
  if (statements->is_object()) {
    ASSIGN_OR_RETURN(PolicyStatement s, ParseStatement(*statements));
    policy.statements_.push_back(std::move(s));
  } else if (statements->is_array()) {
    for (const json& item : *statements) {
      ASSIGN_OR_RETURN(PolicyStatement s, ParseStatement(item));
      policy.statements_.push_back(std::move(s));
    }
  } else {
    return Malformed("Statement must be an object or a list");
  }
  return policy;
}

std::string_view DecisionName(Decision d) {
  switch (d) {
    case Decision::kAllowed:
      return "allowed";
    case Decision::kExplicitDeny:
      return "explicitDeny";
    case Decision::kImplicitDeny:
      return "implicitDeny";
  }
  return "implicitDeny";
}

Decision PolicyEvaluator::Evaluate(const std::vector<const Policy*>& policies,
                                   const AccessRequest& request) {
  bool allowed = false;
  for (const Policy* policy : policies) {
    for (const PolicyStatement& s : policy->statements_) {
      if (!Applies(s, request)) continue;
      if (!s.allow) return Decision::kExplicitDeny;
      allowed = true;
    }
  }
  return allowed ? Decision::kAllowed : Decision::kImplicitDeny;
}

}  // namespace lamina::auth
