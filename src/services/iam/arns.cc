#include "services/iam/arns.h"

#include <utility>

namespace lamina::services::iam {
namespace {

constexpr std::string_view kIamArnPrefix = "arn:aws:iam::";

bool IsAccountId(std::string_view s) {
  if (s.size() != 12) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

struct Resource {
  std::string account_id;
  std::string path;
  std::string name;
};

// arn:aws:iam::<account>:<type>/[path/]name, with the account checked by the caller.
std::optional<Resource> ParseIamArn(std::string_view arn, std::string_view type) {
  if (!arn.starts_with(kIamArnPrefix)) return std::nullopt;
  arn.remove_prefix(kIamArnPrefix.size());
  size_t colon = arn.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  Resource resource;
  resource.account_id = std::string(arn.substr(0, colon));
  std::string_view rest = arn.substr(colon + 1);
  if (!rest.starts_with(type) || rest.substr(type.size(), 1) != "/") return std::nullopt;
  rest.remove_prefix(type.size());  // keep the '/' that starts the path
  for (char c : rest) {
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
      return std::nullopt;
    }
  }
  size_t last_slash = rest.rfind('/');
  resource.path = std::string(rest.substr(0, last_slash + 1));
  resource.name = std::string(rest.substr(last_slash + 1));
  if (resource.name.empty()) return std::nullopt;
  return resource;
}

}  // namespace

std::optional<RoleArnParts> ParseRoleArn(std::string_view arn) {
  std::optional<Resource> r = ParseIamArn(arn, "role");
  if (!r || !IsAccountId(r->account_id)) return std::nullopt;
  return RoleArnParts{std::move(r->account_id), std::move(r->path), std::move(r->name)};
}

std::optional<PolicyArnParts> ParsePolicyArn(std::string_view arn) {
  std::optional<Resource> r = ParseIamArn(arn, "policy");
  if (!r || (r->account_id != "aws" && !IsAccountId(r->account_id))) return std::nullopt;
  return PolicyArnParts{std::move(r->account_id), std::move(r->path), std::move(r->name)};
}

}  // namespace lamina::services::iam
