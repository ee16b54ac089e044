// Where IAM keeps its entities in the Store. Role names are case-insensitive in IAM, so keys use
// the lowercase name (the record keeps the name as created); a role name cannot contain '/', so
// one role's prefix never covers another's.
#pragma once

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

namespace lamina::services::iam {

inline std::string LowerAscii(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

inline constexpr std::string_view kRolesPrefix = "iam/roles/";

// iam/roles/<role>: the role record (role.h).
inline std::string RoleKey(std::string_view role_name) {
  return std::string(kRolesPrefix) + LowerAscii(role_name);
}
// iam/role-policies/<role>/<policy>: an inline policy's document.
inline std::string RolePoliciesPrefix(std::string_view role_name) {
  return "iam/role-policies/" + LowerAscii(role_name) + "/";
}
// iam/attached/<role>/<policy-arn>: an attached managed policy.
inline std::string AttachedPoliciesPrefix(std::string_view role_name) {
  return "iam/attached/" + LowerAscii(role_name) + "/";
}

}  // namespace lamina::services::iam
