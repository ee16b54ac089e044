// Temporary credentials: what STS AssumeRole hands out and what an execution environment gets
// for its function's role.
//
// Nothing about a session is stored. The session token carries the session's claims (key id,
// role, session name, expiry) and a MAC under the daemon's session key, and the secret is derived
// from the key id under the same key; so any key this daemon issued is recognised after a
// restart, until it expires, and none can be forged without the session key
// (`<data_dir>/session-key`, mode 0600, made on first start).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "auth/credentials.h"
#include "common/clock.h"
#include "common/status.h"

namespace lamina::auth {

struct SessionClaims {
  std::string account_id;
  std::string role_name;
  std::string role_path = "/";
  std::string role_id;  // AROA...
  std::string session_name;
  int64_t expires_ms = 0;
};

// arn:aws:sts::{account}:assumed-role/{role}/{session}
std::string AssumedRoleArn(const SessionClaims& claims);

class SessionCredentials final : public CredentialProvider {
 public:
  // Loads the session key from the data dir, making it when absent. `clock` must outlive this.
  static StatusOr<SessionCredentials> LoadOrCreate(const std::string& data_dir, const Clock* clock);
  // For tests: a given 32-byte key.
  SessionCredentials(std::string key, const Clock* clock) : key_(std::move(key)), clock_(clock) {}

  // A fresh key ("ASIA..."), secret and session token for `claims`. The credential's
  // principal_arn is the assumed-role ARN and its user_id "{role_id}:{session_name}".
  Credential Issue(const SessionClaims& claims) const;

  std::optional<Credential> Find(std::string_view) const override { return std::nullopt; }
  StatusOr<Credential> FindSession(std::string_view access_key_id,
                                   std::string_view session_token) const override;

 private:
  std::string SecretFor(std::string_view access_key_id) const;
  Credential CredentialFor(const SessionClaims& claims, std::string access_key_id) const;

  std::string key_;
  const Clock* clock_;
};

// Asks each provider in turn: long-term keys from `long_term`, sessions from `sessions`.
class Keyring final : public CredentialProvider {
 public:
  // Both must outlive the keyring.
  Keyring(const CredentialProvider* long_term, const CredentialProvider* sessions)
      : long_term_(long_term), sessions_(sessions) {}
  std::optional<Credential> Find(std::string_view access_key_id) const override {
    return long_term_->Find(access_key_id);
  }
  StatusOr<Credential> FindSession(std::string_view access_key_id,
                                   std::string_view session_token) const override {
    return sessions_->FindSession(access_key_id, session_token);
  }

 private:
  const CredentialProvider* long_term_;
  const CredentialProvider* sessions_;
};

}  // namespace lamina::auth
