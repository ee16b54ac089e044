// IAM's model constraints on the values its operations take: names, paths, policy documents,
// descriptions, tags, markers and ARNs. Each Check* records what is wrong in `violations`; values
// are UTF-8 (QueryArgs guarantees it). `member` is the parameter's wire name.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "services/iam/violations.h"

namespace lamina::services::iam {

inline constexpr size_t kMaxPolicyDocumentChars = 131072;

// [\w+=,.@-]+, 1..64 characters.
void CheckRoleName(Violations& violations, std::string_view member, const std::string& value);
// [\w+=,.@-]+, 2..64 characters.
void CheckRoleSessionName(Violations& violations, std::string_view member,
                          const std::string& value);
// [\w+=,.@-]+, 1..128 characters.
void CheckPolicyName(Violations& violations, std::string_view member, const std::string& value);
// "/" or "/.../" of printable ASCII, 1..512 characters.
void CheckPath(Violations& violations, std::string_view member, const std::string& value);
// "/" followed by printable ASCII, 1..512 characters.
void CheckPathPrefix(Violations& violations, std::string_view member, const std::string& value);
// Tab, newline, carriage return and U+0020..U+00FF, 1..131072 characters. (Whether it is JSON is
// checked by ParsePolicyDocument.)
void CheckPolicyDocument(Violations& violations, std::string_view member, const std::string& value);
// Up to 1000 characters, no control characters.
void CheckDescription(Violations& violations, std::string_view member, const std::string& value);
// Letters, digits, spaces and _.:/=+-@; a key 1..128 characters, a value 0..256. Every non-ASCII
// character above U+009F counts as a letter: a close, permissive reading of \p{L}\p{Z}\p{N}.
void CheckTagKey(Violations& violations, std::string_view member, const std::string& value);
void CheckTagValue(Violations& violations, std::string_view member, const std::string& value);
// U+0020..U+00FF, at least one character. AWS caps markers at 320 characters; ours are store
// keys (an attached policy's ARN may be up to 2048), so there is no cap here.
void CheckMarker(Violations& violations, std::string_view member, const std::string& value);
// 20..2048 characters.
void CheckArnLength(Violations& violations, std::string_view member, const std::string& value);

// OK when `document` is a JSON object; else MalformedPolicyDocument.
Status CheckPolicyJson(const std::string& document);

}  // namespace lamina::services::iam
