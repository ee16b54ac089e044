// The Authorizer behind role sessions: a role's inline policies and the known managed policies
// attached to it, parsed once and kept in memory until IAM changes anything.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "auth/authorizer.h"
#include "auth/policy.h"
#include "store/store.h"

namespace lamina::services::iam {

class RoleAuthorizer final : public auth::Authorizer {
 public:
  // `store` must outlive this object.
  explicit RoleAuthorizer(store::Store* store) : store_(store) {}

  bool Ready(std::string_view role_name) const override;
  StatusOr<auth::Decision> Check(std::string_view role_name,
                                 const auth::AccessRequest& request) const override;

  // Forgets every role's policies; the IAM service calls it after each change it makes. (One
  // daemon owns the store; a shared store will need the store's own change feed.)
  void Invalidate() { generation_.fetch_add(1, std::memory_order_acq_rel); }
  // Moves on with every Invalidate: what was read from IAM before may be stale.
  uint64_t Generation() const { return generation_.load(std::memory_order_acquire); }

  // The parsed identity policies of a role: none when it does not exist. Stored documents that
  // no longer parse are skipped (PutRolePolicy refuses such documents).
  using Policies = std::vector<auth::Policy>;
  StatusOr<std::shared_ptr<const Policies>> Load(std::string_view role_name) const;

 private:
  struct Cached {
    uint64_t generation;
    std::shared_ptr<const Policies> policies;
  };

  store::Store* store_;
  std::atomic<uint64_t> generation_{0};
  mutable std::mutex mu_;
  mutable std::map<std::string, Cached, std::less<>> cache_;  // GUARDED_BY(mu_); lower-case names
};

}  // namespace lamina::services::iam
