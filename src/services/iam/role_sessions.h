// Sessions of execution roles: the temporary credentials each execution environment gets for its
// function's role, as Lambda's own AssumeRole would issue them (session name: the function's).
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "auth/session_credentials.h"
#include "common/clock.h"
#include "common/status.h"
#include "services/iam/iam_service.h"
#include "store/store.h"

namespace lamina::services::iam {

class RoleSessions {
 public:
  // All must outlive this object; `iam` tells when roles change.
  RoleSessions(store::Store* store, const Clock* clock, const auth::SessionCredentials* sessions,
               const IamService* iam)
      : store_(store), clock_(clock), sessions_(sessions), iam_(iam) {}

  // Credentials for a session `session_name` of `role_arn`, valid for `ttl_ms` from now.
  // InvalidArgument when `role_arn` is not a role ARN. A role that does not exist (any more) still
  // gets a session; its policies, which it has none of, allow nothing. The role's id (for the
  // session's user id) is read from the store once per role and kept until IAM changes anything.
  // Thread-safe.
  StatusOr<auth::Credential> Issue(const std::string& role_arn, const std::string& session_name,
                                   int64_t ttl_ms);

 private:
  store::Store* store_;
  const Clock* clock_;
  const auth::SessionCredentials* sessions_;
  const IamService* iam_;
  std::mutex mu_;
  uint64_t generation_ = 0;  // GUARDED_BY(mu_); of iam_, when role_ids_ was read
  std::map<std::string, std::string> role_ids_;  // GUARDED_BY(mu_); by role ARN
};

}  // namespace lamina::services::iam
