#include "services/iam/role_authorizer.h"

#include "services/iam/iam_keys.h"
#include "services/iam/managed_policies.h"
#include "services/iam/role_policy_store.h"

namespace lamina::services::iam {

bool RoleAuthorizer::Ready(std::string_view role_name) const {
  std::lock_guard lock(mu_);
  auto it = cache_.find(LowerAscii(role_name));
  return it != cache_.end() && it->second.generation == generation_.load(std::memory_order_acquire);
}

StatusOr<std::shared_ptr<const RoleAuthorizer::Policies>> RoleAuthorizer::Load(
    std::string_view role_name) const {
  std::string name = LowerAscii(role_name);
  // Read the generation before the store: a change after it makes this entry stale at once.
  uint64_t generation = generation_.load(std::memory_order_acquire);
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(name);
    if (it != cache_.end() && it->second.generation == generation) return it->second.policies;
  }
  auto policies = std::make_shared<Policies>();
  ASSIGN_OR_RETURN(std::optional<store::Entry> role, store_->Get(RoleKey(name)));
  if (role) {
    ASSIGN_OR_RETURN(std::vector<store::Entry> inline_policies,
                     store_->List(RolePoliciesPrefix(name), "", 0));
    for (const store::Entry& entry : inline_policies) {
      if (auto policy = auth::Policy::Parse(entry.value); policy.ok()) {
        policies->push_back(std::move(*policy));
      }
    }
    ASSIGN_OR_RETURN(std::vector<store::Entry> attached,
                     store_->List(AttachedPoliciesPrefix(name), "", 0));
    for (const store::Entry& entry : attached) {
      auto arn = DecodeAttachedPolicy(entry.value);
      if (!arn.ok()) continue;
      std::string_view document = ManagedPolicyDocument(arn->arn);
      if (document.empty()) continue;
      if (auto policy = auth::Policy::Parse(document); policy.ok()) {
        policies->push_back(std::move(*policy));
      }
    }
  }
  std::lock_guard lock(mu_);
  cache_[name] = {generation, policies};
  return std::shared_ptr<const Policies>(std::move(policies));
}

StatusOr<auth::Decision> RoleAuthorizer::Check(std::string_view role_name,
                                               const auth::AccessRequest& request) const {
  ASSIGN_OR_RETURN(std::shared_ptr<const Policies> policies, Load(role_name));
  std::vector<const auth::Policy*> pointers;
  for (const auth::Policy& policy : *policies) pointers.push_back(&policy);
  return auth::PolicyEvaluator::Evaluate(pointers, request);
}

}  // namespace lamina::services::iam
