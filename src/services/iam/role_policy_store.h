// A role's policies in the Store: inline policies (name -> document) and attached managed policy
// ARNs. Every change commits together with the role's record (RoleStore::CommitWithRole), so no
// policy outlives its role.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "services/iam/paging.h"
#include "services/iam/role_store.h"
#include "store/store.h"

namespace lamina::services::iam {

// An attached managed policy: its ARN and its name (the ARN's last path segment).
struct AttachedPolicy {
  std::string arn;
  std::string name;
};

// Thread-safe (the Store is); holds no state of its own. Every method answers NoSuchEntity
// ("The role with name X cannot be found.") when the role does not exist.
class RolePolicyStore {
 public:
  // Both must outlive this object.
  RolePolicyStore(store::Store* store, RoleStore* roles) : store_(store), roles_(roles) {}

  // Creates or replaces the inline policy `policy_name` of the role.
  Status PutInline(std::string_view role_name, std::string_view policy_name,
                   const std::string& document);
  // The document; NoSuchEntity when the role has no such inline policy.
  StatusOr<std::string> GetInline(std::string_view role_name, std::string_view policy_name) const;
  Status DeleteInline(std::string_view role_name, std::string_view policy_name);
  // Entries' keys end in the policy names.
  StatusOr<Page> ListInline(std::string_view role_name, const PageRequest& request) const;

  // Attaching twice is not an error (as on AWS).
  Status Attach(std::string_view role_name, const AttachedPolicy& policy);
  // NoSuchEntity ("Policy ARN was not found.") when it is not attached.
  Status Detach(std::string_view role_name, std::string_view policy_arn);
  // Policies whose path (in the ARN) starts with `path_prefix`; entries' values decode with
  // DecodeAttachedPolicy.
  StatusOr<Page> ListAttached(std::string_view role_name, std::string_view path_prefix,
                              const PageRequest& request) const;

 private:
  store::Store* store_;
  RoleStore* roles_;
};

std::string EncodeAttachedPolicy(const AttachedPolicy& policy);
// kInternal when `json` is not a record this code wrote.
StatusOr<AttachedPolicy> DecodeAttachedPolicy(std::string_view json);

}  // namespace lamina::services::iam
