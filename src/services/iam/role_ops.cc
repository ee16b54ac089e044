// CreateRole, GetRole, ListRoles, DeleteRole.
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "services/iam/constraints.h"
#include "services/iam/iam_errors.h"
#include "services/iam/iam_keys.h"
#include "services/iam/operations.h"
#include "services/iam/violations.h"

namespace lamina::services::iam {
namespace {

constexpr size_t kMaxTags = 50;

// Tags.member.N.Key / Tags.member.N.Value for N = 1, 2, ... up to the first index with neither.
std::vector<Tag> ReadTags(const QueryArgs& args, Violations& violations) {
  std::vector<Tag> tags;
  for (size_t n = 1;; ++n) {
    std::string base = "Tags.member." + std::to_string(n) + ".";
    const std::string* key = args.Find(base + "Key");
    const std::string* value = args.Find(base + "Value");
    if (key == nullptr && value == nullptr) break;
    if (key == nullptr) violations.Add(base + "Key", nullptr, "Member must not be null");
    if (value == nullptr) violations.Add(base + "Value", nullptr, "Member must not be null");
    if (key == nullptr || value == nullptr) continue;
    CheckTagKey(violations, base + "Key", *key);
    CheckTagValue(violations, base + "Value", *value);
    tags.push_back({*key, *value});
  }
  if (tags.size() > kMaxTags) {
    violations.Add("Tags", nullptr,
                   "Member must have length less than or equal to " + std::to_string(kMaxTags));
  }
  return tags;
}

Status CheckUniqueTagKeys(const std::vector<Tag>& tags) {
  std::set<std::string> seen;
  for (const Tag& tag : tags) {
    if (!seen.insert(LowerAscii(tag.key)).second) {
      return InvalidInput(
          "Duplicate tag keys found. Please note that Tag keys are case insensitive.");
    }
  }
  return Status::Ok();
}

// The RoleName parameter, required and checked.
const std::string* ReadRoleName(const QueryArgs& args, Violations& violations) {
  const std::string* name = RequiredParam(args, "RoleName", violations);
  if (name) CheckRoleName(violations, "RoleName", *name);
  return name;
}

}  // namespace

Status CreateRole(const IamCall& call, XmlWriter& result) {
  Violations violations;
  Role role;
  const std::string* name = ReadRoleName(call.args, violations);
  const std::string* document = RequiredParam(call.args, "AssumeRolePolicyDocument", violations);
  if (document) CheckPolicyDocument(violations, "AssumeRolePolicyDocument", *document);
  if (const std::string* path = call.args.Find("Path")) {
    CheckPath(violations, "Path", *path);
    role.path = *path;
  }
  if (const std::string* description = call.args.Find("Description")) {
    CheckDescription(violations, "Description", *description);
    role.description = *description;
  }
  if (auto max = IntParam(call.args, "MaxSessionDuration", 3600, 43200, violations)) {
    role.max_session_duration = *max;
  }
  role.tags = ReadTags(call.args, violations);
  RETURN_IF_ERROR(violations.ToStatus());
  RETURN_IF_ERROR(CheckPolicyJson(*document));
  RETURN_IF_ERROR(CheckUniqueTagKeys(role.tags));

  role.name = *name;
  role.id = NewRoleId();
  role.create_date_ms = call.clock.NowMillis();
  role.assume_role_policy_document = *document;
  RETURN_IF_ERROR(call.roles.Create(role));
  WriteRoleXml(role, call.context.account_id, "Role", RoleView::kFull, result);
  return Status::Ok();
}

Status GetRole(const IamCall& call, XmlWriter& result) {
  Violations violations;
  const std::string* name = ReadRoleName(call.args, violations);
  RETURN_IF_ERROR(violations.ToStatus());
  ASSIGN_OR_RETURN(StoredRole stored, call.roles.Get(*name));
  WriteRoleXml(stored.role, call.context.account_id, "Role", RoleView::kFull, result);
  return Status::Ok();
}

Status ListRoles(const IamCall& call, XmlWriter& result) {
  Violations violations;
  std::string path_prefix = "/";
  if (const std::string* prefix = call.args.Find("PathPrefix")) {
    CheckPathPrefix(violations, "PathPrefix", *prefix);
    path_prefix = *prefix;
  }
  PageRequest request = ReadPageRequest(call.args, violations);
  RETURN_IF_ERROR(violations.ToStatus());
  ASSIGN_OR_RETURN(Page page, call.roles.List(path_prefix, request));
  result.Open("Roles");
  for (const store::Entry& entry : page.entries) {
    ASSIGN_OR_RETURN(Role role, DecodeRole(entry.value));
    WriteRoleXml(role, call.context.account_id, "member", RoleView::kListed, result);
  }
  result.Close();
  WritePageTail(page, result);
  return Status::Ok();
}

Status DeleteRole(const IamCall& call, XmlWriter&) {
  Violations violations;
  const std::string* name = ReadRoleName(call.args, violations);
  RETURN_IF_ERROR(violations.ToStatus());
  return call.roles.Delete(*name);
}

}  // namespace lamina::services::iam
