#include "services/iam/role_store.h"

#include <utility>

#include "services/iam/iam_errors.h"
#include "services/iam/iam_keys.h"

namespace lamina::services::iam {
namespace {

// Optimistic transactions retry when another request moved the role between our read and our
// commit; a handful of rounds is plenty for human-driven IAM traffic.
constexpr int kMaxAttempts = 8;

Status TooBusy(std::string_view role_name) {
  return ConcurrentModification("The role " + std::string(role_name) +
                                " is being modified concurrently; retry the request.");
}

}  // namespace

StatusOr<std::optional<StoredRole>> RoleStore::Find(std::string_view name) const {
  ASSIGN_OR_RETURN(std::optional<store::Entry> entry, store_->Get(RoleKey(name)));
  if (!entry) return std::optional<StoredRole>();
  ASSIGN_OR_RETURN(Role role, DecodeRole(entry->value));
  return std::optional<StoredRole>(
      StoredRole{std::move(role), std::move(entry->value), entry->version});
}

StatusOr<StoredRole> RoleStore::Get(std::string_view name) const {
  ASSIGN_OR_RETURN(std::optional<StoredRole> found, Find(name));
  if (!found) return NoSuchRole(std::string(name));
  return std::move(*found);
}

Status RoleStore::Create(const Role& role) {
  auto committed = store_->Commit(
      {store::Op::Put(RoleKey(role.name), EncodeRole(role), store::Precondition::Absent())});
  if (committed.ok()) return Status::Ok();
  if (committed.status().code() == Code::kFailedPrecondition) {
    return EntityAlreadyExists("Role with name " + role.name + " already exists.");
  }
  return committed.status();
}

Status RoleStore::Delete(std::string_view name) {
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    ASSIGN_OR_RETURN(StoredRole stored, Get(name));
    for (const std::string& prefix : {RolePoliciesPrefix(name), AttachedPoliciesPrefix(name)}) {
      ASSIGN_OR_RETURN(std::vector<store::Entry> left, store_->List(prefix, "", 1));
      if (!left.empty()) return DeleteConflict("Cannot delete entity, must delete policies first.");
    }
    // Every policy change rewrites the role (CommitWithRole), so the version precondition also
    // proves that no policy was added since the check above.
    auto committed = store_->Commit(
        {store::Op::Delete(RoleKey(name), store::Precondition::Version(stored.version))});
    if (committed.ok()) return Status::Ok();
    if (committed.status().code() != Code::kFailedPrecondition) return committed.status();
  }
  return TooBusy(name);
}

StatusOr<Page> RoleStore::List(std::string_view path_prefix, const PageRequest& request) const {
  std::string prefix(path_prefix);
  return ListPage(*store_, kRolesPrefix, request, [&prefix](const store::Entry& entry) {
    auto role = DecodeRole(entry.value);
    // A corrupt record is kept so that decoding it again reports the corruption.
    return !role.ok() || role->path.starts_with(prefix);
  });
}

Status RoleStore::CommitWithRole(std::string_view role_name, std::vector<store::Op> ops) {
  const std::string role_key = RoleKey(role_name);
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    ASSIGN_OR_RETURN(StoredRole stored, Get(role_name));
    std::vector<store::Op> all = ops;
    all.push_back(
        store::Op::Put(role_key, stored.value, store::Precondition::Version(stored.version)));
    auto committed = store_->Commit(all);
    if (committed.ok()) return Status::Ok();
    if (committed.status().code() != Code::kFailedPrecondition ||
        committed.status().message() != role_key) {
      return committed.status();
    }
  }
  return TooBusy(role_name);
}

}  // namespace lamina::services::iam
