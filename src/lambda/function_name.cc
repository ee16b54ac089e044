#include "lambda/function_name.h"

#include <vector>

#include "lambda/errors.h"

namespace lamina::lambda {
namespace {

constexpr std::string_view kPattern =
    "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?"
    "(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST(\\.PUBLISHED)?|[a-zA-Z0-9-_]+))?";

bool IsQualifier(std::string_view q) {
  if (q == "$LATEST") return true;
  if (q.empty() || q.size() > 128) return false;
  for (char c : q) {
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return false;
  }
  return true;
}

bool IsAccount(std::string_view a) {
  if (a.size() != 12) return false;
  for (char c : a) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::vector<std::string_view> SplitColons(std::string_view s) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  for (;;) {
    size_t next = s.find(':', pos);
    out.push_back(s.substr(pos, next == std::string_view::npos ? next : next - pos));
    if (next == std::string_view::npos) return out;
    pos = next + 1;
  }
}

Status PatternError(std::string_view input, std::string_view member) {
  return ValidationError("1 validation error detected: Value '" + std::string(input) + "' at '" +
                         std::string(member) +
                         "' failed to satisfy constraint: Member must satisfy regular expression "
                         "pattern: " +
                         std::string(kPattern));
}

}  // namespace

bool IsValidFunctionName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return false;
  }
  return true;
}

StatusOr<FunctionRef> ParseFunctionName(std::string_view input, std::string_view member,
                                        const std::string& region, const std::string& account) {
  if (input.empty() || input.size() > 256) {
    return ValidationError(
        "1 validation error detected: Value '" + std::string(input) + "' at '" +
        std::string(member) + "' failed to satisfy constraint: Member must have length " +
        (input.empty() ? "greater than or equal to 1" : "less than or equal to 256"));
  }
  auto parts = SplitColons(input);
  std::string_view arn_region = region, arn_account = account;
  FunctionRef ref;
  if (parts[0] == "arn") {
    // arn:partition:lambda:region:account:function:name[:qualifier]
    if ((parts.size() != 7 && parts.size() != 8) || parts[1].substr(0, 3) != "aws" ||
        parts[2] != "lambda" || !IsAccount(parts[4]) || parts[5] != "function") {
      return PatternError(input, member);
    }
    arn_region = parts[3];
    arn_account = parts[4];
    ref.name = parts[6];
    if (parts.size() == 8) ref.qualifier = parts[7];
  } else if (parts.size() >= 3) {
    // account:function:name[:qualifier]
    if (parts.size() > 4 || !IsAccount(parts[0]) || parts[1] != "function") {
      return PatternError(input, member);
    }
    arn_account = parts[0];
    ref.name = parts[2];
    if (parts.size() == 4) ref.qualifier = parts[3];
  } else {
    ref.name = parts[0];
    if (parts.size() == 2) ref.qualifier = parts[1];
  }
  if (ref.name.size() > 64 && IsValidFunctionName(ref.name.substr(0, 64))) {
    return ValidationError("1 validation error detected: Value '" + std::string(input) + "' at '" +
                           std::string(member) +
                           "' failed to satisfy constraint: Member must have length less than or "
                           "equal to 64");
  }
  if (!IsValidFunctionName(ref.name) ||
      (parts.size() != 1 && !ref.qualifier.empty() && !IsQualifier(ref.qualifier)) ||
      (ref.qualifier.empty() && (parts.size() == 2 || parts.size() == 4 || parts.size() == 8))) {
    return PatternError(input, member);
  }
  if (arn_region != region || arn_account != account) {
    return FunctionNotFound("arn:aws:lambda:" + std::string(arn_region) + ":" +
                            std::string(arn_account) + ":function:" + ref.name);
  }
  return ref;
}

std::string FunctionArn(const std::string& region, const std::string& account,
                        const std::string& name, const std::string& qualifier) {
  std::string arn = "arn:aws:lambda:" + region + ":" + account + ":function:" + name;
  if (!qualifier.empty()) arn += ":" + qualifier;
  return arn;
}

}  // namespace lamina::lambda
