#include "services/iam/role_policy_store.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <utility>
#include <vector>

#include "services/iam/arns.h"
#include "services/iam/iam_errors.h"
#include "services/iam/iam_keys.h"

namespace lamina::services::iam {
namespace {

Status NoSuchRolePolicy(std::string_view policy_name) {
  return NoSuchEntity("The role policy with name " + std::string(policy_name) +
                      " cannot be found.");
}

// A failed precondition on one of our own keys means that entity is gone; anything else passes.
Status MapMissing(Status status, const std::string& key, const Status& missing) {
  if (status.code() == Code::kFailedPrecondition && status.message() == key) return missing;
  return status;
}

}  // namespace

Status RolePolicyStore::PutInline(std::string_view role_name, std::string_view policy_name,
                                  const std::string& document) {
  std::string key = RolePoliciesPrefix(role_name) + std::string(policy_name);
  return roles_->CommitWithRole(role_name, {store::Op::Put(std::move(key), document)});
}

StatusOr<std::string> RolePolicyStore::GetInline(std::string_view role_name,
                                                 std::string_view policy_name) const {
  RETURN_IF_ERROR(roles_->Get(role_name).status());
  ASSIGN_OR_RETURN(std::optional<store::Entry> entry,
                   store_->Get(RolePoliciesPrefix(role_name) + std::string(policy_name)));
  if (!entry) return NoSuchRolePolicy(policy_name);
  return std::move(entry->value);
}

Status RolePolicyStore::DeleteInline(std::string_view role_name, std::string_view policy_name) {
  std::string key = RolePoliciesPrefix(role_name) + std::string(policy_name);
  Status status =
      roles_->CommitWithRole(role_name, {store::Op::Delete(key, store::Precondition::Present())});
  return MapMissing(std::move(status), key, NoSuchRolePolicy(policy_name));
}

StatusOr<Page> RolePolicyStore::ListInline(std::string_view role_name,
                                           const PageRequest& request) const {
  RETURN_IF_ERROR(roles_->Get(role_name).status());
  return ListPage(*store_, RolePoliciesPrefix(role_name), request);
}

Status RolePolicyStore::Attach(std::string_view role_name, const AttachedPolicy& policy) {
  std::string key = AttachedPoliciesPrefix(role_name) + policy.arn;
  return roles_->CommitWithRole(role_name,
                                {store::Op::Put(std::move(key), EncodeAttachedPolicy(policy))});
}

Status RolePolicyStore::Detach(std::string_view role_name, std::string_view policy_arn) {
  std::string key = AttachedPoliciesPrefix(role_name) + std::string(policy_arn);
  Status status =
      roles_->CommitWithRole(role_name, {store::Op::Delete(key, store::Precondition::Present())});
  return MapMissing(std::move(status), key,
                    NoSuchEntity("Policy " + std::string(policy_arn) + " was not found."));
}

StatusOr<Page> RolePolicyStore::ListAttached(std::string_view role_name,
                                             std::string_view path_prefix,
                                             const PageRequest& request) const {
  RETURN_IF_ERROR(roles_->Get(role_name).status());
  std::string prefix(path_prefix);
  return ListPage(*store_, AttachedPoliciesPrefix(role_name), request,
                  [&prefix](const store::Entry& entry) {
                    auto policy = DecodeAttachedPolicy(entry.value);
                    // A corrupt record is kept so that decoding it again reports the corruption.
                    if (!policy.ok()) return true;
                    auto arn = ParsePolicyArn(policy->arn);
                    return arn && arn->path.starts_with(prefix);
                  });
}

std::string EncodeAttachedPolicy(const AttachedPolicy& policy) {
  return nlohmann::json{{"arn", policy.arn}, {"name", policy.name}}.dump();
}

StatusOr<AttachedPolicy> DecodeAttachedPolicy(std::string_view text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || !j.contains("arn") || !j["arn"].is_string() ||
      !j.contains("name") || !j["name"].is_string()) {
    return Internal("corrupt IAM attached-policy record in the store");
  }
  return AttachedPolicy{j["arn"].get<std::string>(), j["name"].get<std::string>()};
}

}  // namespace lamina::services::iam
