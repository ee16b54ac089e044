// Roles in the Store: create, read, list and delete, each a single atomic Commit guarded by
// preconditions, so concurrent requests (and other daemons on a shared store, later) cannot
// interleave into a state no sequence of requests would produce.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "services/iam/paging.h"
#include "services/iam/role.h"
#include "store/store.h"

namespace lamina::services::iam {

struct StoredRole {
  Role role;
  std::string value;  // the encoded record, as stored
  int64_t version = 0;
};

// Thread-safe (the Store is); holds no state of its own.
class RoleStore {
 public:
  // `store` must outlive this object.
  explicit RoleStore(store::Store* store) : store_(store) {}

  // The role named `name` (case-insensitively), or nullopt.
  StatusOr<std::optional<StoredRole>> Find(std::string_view name) const;
  // Like Find; NoSuchEntity when the role does not exist.
  StatusOr<StoredRole> Get(std::string_view name) const;
  // EntityAlreadyExists when a role of that name (in any case) exists.
  Status Create(const Role& role);
  // Deletes a role that has no inline or attached policies: NoSuchEntity, or DeleteConflict when
  // policies remain.
  Status Delete(std::string_view name);
  // A page of role records (decode them with DecodeRole) whose path starts with `path_prefix`,
  // in name order.
  StatusOr<Page> List(std::string_view path_prefix, const PageRequest& request) const;

  // Commits `ops` together with a rewrite of the role's record at the version read, so the change
  // lands only while the role exists, and bumps the role's version so a concurrent Delete that
  // checked for policies before it fails its precondition. Retries while only the role moved.
  // NoSuchEntity when the role does not exist; kFailedPrecondition (message: the key) when a
  // precondition of `ops` fails.
  Status CommitWithRole(std::string_view role_name, std::vector<store::Op> ops);

 private:
  store::Store* store_;
};

}  // namespace lamina::services::iam
