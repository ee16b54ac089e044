// Who may sign requests: access keys and the principals they belong to.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace lamina::auth {

struct Credential {
  std::string access_key_id;
  std::string secret_access_key;
  std::string principal_arn;  // e.g. arn:aws:iam::000000000000:root
  std::string user_id;        // e.g. the account id for the root principal
  // Set for temporary credentials of an assumed role: the role's name (whose policies govern
  // what the key may do) and ARN, the session token and when the key expires.
  std::string role_name{};
  std::string role_arn{};
  std::string session_token{};
  int64_t expires_ms = 0;
};

// Looks up the secret of an access key. Implementations are thread-safe.
class CredentialProvider {
 public:
  virtual ~CredentialProvider() = default;
  // A long-term key (one sent without a session token).
  virtual std::optional<Credential> Find(std::string_view access_key_id) const = 0;
  // A temporary key and the session token sent with it. Errors (kUnauthenticated): the token is
  // not one this provider issued for that key (UnrecognizedClientException), or it has expired
  // (ExpiredTokenException). This default knows no temporary keys.
  virtual StatusOr<Credential> FindSession(std::string_view access_key_id,
                                           std::string_view session_token) const;
};

// A random access key id like AWS's: `prefix` (four letters: "LKIA" for long-term keys, "ASIA"
// for temporary ones) and 16 of [A-Z2-7].
std::string NewAccessKeyId(std::string_view prefix);

// The error for a key or session token nobody issued.
Status UnrecognizedClient();

// Reads the [default] profile of an AWS shared-credentials file.
StatusOr<Credential> ReadCredentialsFile(const std::string& path);

// The daemon's administrator key: created on first start and kept in `<data_dir>/credentials`
// (an AWS shared-credentials file, mode 0600) so that `AWS_SHARED_CREDENTIALS_FILE` can point at
// it. The key acts as the account's root principal.
class AdminCredentials final : public CredentialProvider {
 public:
  // Loads the key from the data dir, creating it (and the directory) when absent.
  // `created` tells whether this call made a new key.
  static StatusOr<AdminCredentials> LoadOrCreate(const std::string& data_dir,
                                                 const std::string& account_id, bool* created);

  std::optional<Credential> Find(std::string_view access_key_id) const override;
  const Credential& admin() const { return admin_; }
  const std::string& credentials_path() const { return path_; }

 private:
  AdminCredentials(Credential admin, std::string path)
      : admin_(std::move(admin)), path_(std::move(path)) {}
  Credential admin_;
  std::string path_;
};

}  // namespace lamina::auth
