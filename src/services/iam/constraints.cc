#include "services/iam/constraints.h"

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>

#include "services/iam/iam_errors.h"

namespace lamina::services::iam {
namespace {

// Decodes well-formed UTF-8 (as QueryArgs guarantees) one code point at a time.
bool AllCodePoints(std::string_view s, const std::function<bool(uint32_t)>& ok) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t extra = c < 0x80 ? 0 : c < 0xe0 ? 1 : c < 0xf0 ? 2 : 3;
    uint32_t cp = extra == 0 ? c : c & (0x3f >> extra);
    for (size_t k = 1; k <= extra && i + k < s.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
    }
    if (!ok(cp)) return false;
    i += extra + 1;
  }
  return true;
}

bool IsAsciiAlnum(uint32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Java's \w: ASCII letters, digits and '_'.
bool IsNameChar(uint32_t c) {
  return IsAsciiAlnum(c) || c == '_' || c == '+' || c == '=' || c == ',' || c == '.' || c == '@' ||
         c == '-';
}

bool IsPathChar(uint32_t c) { return c >= 0x21 && c <= 0x7f; }

bool IsTagChar(uint32_t c) {
  if (c >= 0xa0) return true;
  return IsAsciiAlnum(c) || c == ' ' || c == '_' || c == '.' || c == ':' || c == '/' || c == '=' ||
         c == '+' || c == '-' || c == '@';
}

bool IsControl(uint32_t c) { return c < 0x20 || (c >= 0x7f && c <= 0x9f); }

void CheckName(Violations& violations, std::string_view member, const std::string& value,
               size_t max, size_t min = 1) {
  violations.Length(member, value, min, max);
  if (!value.empty()) {
    violations.Pattern(member, value, AllCodePoints(value, IsNameChar), "[\\w+=,.@-]+");
  }
}

}  // namespace

void CheckRoleName(Violations& violations, std::string_view member, const std::string& value) {
  CheckName(violations, member, value, 64);
}

void CheckRoleSessionName(Violations& violations, std::string_view member,
                          const std::string& value) {
  CheckName(violations, member, value, 64, 2);
}

void CheckPolicyName(Violations& violations, std::string_view member, const std::string& value) {
  CheckName(violations, member, value, 128);
}

void CheckPath(Violations& violations, std::string_view member, const std::string& value) {
  violations.Length(member, value, 1, 512);
  bool matches = value == "/" || (value.size() >= 3 && value.front() == '/' &&
                                  value.back() == '/' && AllCodePoints(value, IsPathChar));
  violations.Pattern(member, value, matches, "(\\u002F)|(\\u002F[\\u0021-\\u007F]+\\u002F)");
}

void CheckPathPrefix(Violations& violations, std::string_view member, const std::string& value) {
  violations.Length(member, value, 1, 512);
  bool matches = !value.empty() && value.front() == '/' && AllCodePoints(value, IsPathChar);
  violations.Pattern(member, value, matches, "\\u002F[\\u0021-\\u007F]*");
}

void CheckPolicyDocument(Violations& violations, std::string_view member,
                         const std::string& value) {
  violations.Length(member, value, 1, kMaxPolicyDocumentChars);
  bool matches = AllCodePoints(value, [](uint32_t c) {
    return c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c <= 0xff);
  });
  violations.Pattern(member, value, matches, "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+");
}

void CheckDescription(Violations& violations, std::string_view member, const std::string& value) {
  violations.Length(member, value, 0, 1000);
  bool matches = AllCodePoints(value, [](uint32_t c) { return !IsControl(c); });
  violations.Pattern(member, value, matches, "[\\p{L}\\p{M}\\p{Z}\\p{S}\\p{N}\\p{P}]*");
}

void CheckTagKey(Violations& violations, std::string_view member, const std::string& value) {
  violations.Length(member, value, 1, 128);
  if (!value.empty()) {
    violations.Pattern(member, value, AllCodePoints(value, IsTagChar),
                       "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+");
  }
}

void CheckTagValue(Violations& violations, std::string_view member, const std::string& value) {
  violations.Length(member, value, 0, 256);
  violations.Pattern(member, value, AllCodePoints(value, IsTagChar),
                     "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*");
}

void CheckMarker(Violations& violations, std::string_view member, const std::string& value) {
  if (value.empty()) {
    violations.Length(member, value, 1, 1);
  } else {
    bool matches = AllCodePoints(value, [](uint32_t c) { return c >= 0x20 && c <= 0xff; });
    violations.Pattern(member, value, matches, "[\\u0020-\\u00FF]+");
  }
}

void CheckArnLength(Violations& violations, std::string_view member, const std::string& value) {
  violations.Length(member, value, 20, 2048);
}

Status CheckPolicyJson(const std::string& document) {
  // The non-throwing parse: no exception may leave this module.
  nlohmann::json parsed = nlohmann::json::parse(document, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return MalformedPolicyDocument("This policy contains invalid Json");
  }
  return Status::Ok();
}

}  // namespace lamina::services::iam
