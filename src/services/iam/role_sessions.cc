#include "services/iam/role_sessions.h"

#include <optional>

#include "services/iam/arns.h"
#include "services/iam/role_store.h"

namespace lamina::services::iam {

StatusOr<auth::Credential> RoleSessions::Issue(const std::string& role_arn,
                                               const std::string& session_name, int64_t ttl_ms) {
  std::optional<RoleArnParts> arn = ParseRoleArn(role_arn);
  if (!arn) return InvalidArgument(role_arn + " is not a role ARN");
  std::string role_id;
  // Read before the store: a change after it makes what is read stale at once.
  uint64_t generation = iam_->generation();
  {
    std::lock_guard lock(mu_);
    if (generation_ != generation) {
      role_ids_.clear();
      generation_ = generation;
    }
    if (auto it = role_ids_.find(role_arn); it != role_ids_.end()) role_id = it->second;
  }
  if (role_id.empty()) {
    ASSIGN_OR_RETURN(std::optional<StoredRole> found, RoleStore(store_).Find(arn->name));
    if (found && found->role.path == arn->path) {
      role_id = found->role.id;
      std::lock_guard lock(mu_);
      if (generation_ == generation) role_ids_[role_arn] = role_id;
    }
  }
  return sessions_->Issue(
      {arn->account_id, arn->name, arn->path, role_id, session_name, clock_->NowMillis() + ttl_ms});
}

}  // namespace lamina::services::iam
