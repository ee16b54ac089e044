#include "lambda/function_name.h"

#include <regex>
#include <vector>

#include "lambda/errors.h"

namespace lamina::lambda {
namespace {

// The model's patterns for the FunctionName and NamespacedFunctionName shapes.
constexpr std::string_view kNewPattern =
    "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?"
    "(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?";
constexpr std::string_view kExistingPattern =
    "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?"
    "(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST(\\.PUBLISHED)?|[a-zA-Z0-9-_]+))?";

// Whether `name` is made of the characters the shape allows, whatever its length.
bool HasNameCharacters(std::string_view name, NameShape shape) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ||
          (c == '.' && shape == NameShape::kExisting))) {
      return false;
    }
  }
  return true;
}

bool IsQualifier(std::string_view q) {
  if (q == "$LATEST") return true;
  if (q.empty() || q.size() > 128) return false;
  for (char c : q) {
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return false;
  }
  return true;
}

// The region part of the model's function name patterns.
bool IsRegion(std::string_view r) {
  static const std::regex kRegion("[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d");
  return std::regex_match(r.begin(), r.end(), kRegion);
}

bool IsPartition(std::string_view p) {
  // aws[a-zA-Z-]*
  if (p.substr(0, 3) != "aws") return false;
  for (char c : p.substr(3)) {
    if (!(isalpha(static_cast<unsigned char>(c)) || c == '-')) return false;
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

Status PatternError(std::string_view input, std::string_view member, NameShape shape) {
  return ValidationError("1 validation error detected: Value '" + std::string(input) + "' at '" +
                         std::string(member) +
                         "' failed to satisfy constraint: Member must satisfy regular expression "
                         "pattern: " +
                         std::string(shape == NameShape::kNew ? kNewPattern : kExistingPattern));
}

}  // namespace

bool IsValidFunctionName(std::string_view name) {
  return name.size() <= 64 && HasNameCharacters(name, NameShape::kNew);
}

StatusOr<FunctionRef> ParseFunctionName(std::string_view input, std::string_view member,
                                        const std::string& region, const std::string& account,
                                        NameShape shape) {
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
    if ((parts.size() != 7 && parts.size() != 8) || !IsPartition(parts[1]) ||
        parts[2] != "lambda" || !IsRegion(parts[3]) || !IsAccount(parts[4]) ||
        parts[5] != "function") {
      return PatternError(input, member, shape);
    }
    arn_region = parts[3];
    arn_account = parts[4];
    ref.name = parts[6];
    if (parts.size() == 8) ref.qualifier = parts[7];
  } else if (parts.size() >= 3) {
    // account:function:name[:qualifier]
    if (parts.size() > 4 || !IsAccount(parts[0]) || parts[1] != "function") {
      return PatternError(input, member, shape);
    }
    arn_account = parts[0];
    ref.name = parts[2];
    if (parts.size() == 4) ref.qualifier = parts[3];
  } else {
    ref.name = parts[0];
    if (parts.size() == 2) ref.qualifier = parts[1];
  }
  if (!HasNameCharacters(ref.name, shape) ||
      (parts.size() != 1 && !ref.qualifier.empty() && !IsQualifier(ref.qualifier)) ||
      (ref.qualifier.empty() && (parts.size() == 2 || parts.size() == 4 || parts.size() == 8))) {
    return PatternError(input, member, shape);
  }
  if (shape == NameShape::kNew && ref.name.size() > 64) {
    // The shape allows 140 characters for an ARN; the name within it gets a semantic check.
    return InvalidParameterValue("1 validation error detected: Value '" + std::string(input) +
                                 "' at '" + std::string(member) +
                                 "' failed to satisfy constraint: Member must have length less "
                                 "than or equal to 64");
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
