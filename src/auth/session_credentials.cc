#include "auth/session_credentials.h"

#include <nlohmann/json.hpp>

#include "common/crypto.h"
#include "common/file_util.h"

namespace lamina::auth {
namespace {

constexpr size_t kKeyBytes = 32;
constexpr size_t kMacBytes = 32;

// The token is base64(claims JSON + MAC). Domain prefixes keep the MAC over a token apart from
// the MAC that derives a secret.
std::string TokenMac(std::string_view key, std::string_view claims) {
  return HmacSha256(key, "token\n" + std::string(claims));
}

Status ExpiredToken() {
  return Unauthenticated("The security token included in the request is expired",
                         "ExpiredTokenException");
}

}  // namespace

std::string AssumedRoleArn(const SessionClaims& claims) {
  return "arn:aws:sts::" + claims.account_id + ":assumed-role/" + claims.role_name + "/" +
         claims.session_name;
}

StatusOr<SessionCredentials> SessionCredentials::LoadOrCreate(const std::string& data_dir,
                                                              const Clock* clock) {
  std::string path = data_dir + "/session-key";
  std::string encoded, key;
  Status read = ReadFile(path, encoded);
  if (read.ok()) {
    while (!encoded.empty() && (encoded.back() == '\n' || encoded.back() == '\r')) {
      encoded.pop_back();
    }
    if (!Base64Decode(encoded, key) || key.size() != kKeyBytes) {
      return Internal(path + " does not hold a base64 session key of 32 bytes");
    }
    return SessionCredentials(std::move(key), clock);
  }
  if (read.code() != Code::kNotFound) return read;
  key = RandomBytes(kKeyBytes);
  RETURN_IF_ERROR(MakeDirs(data_dir, 0700));
  RETURN_IF_ERROR(WriteFileDurably(path, Base64Encode(key) + "\n", 0600));
  return SessionCredentials(std::move(key), clock);
}

std::string SessionCredentials::SecretFor(std::string_view access_key_id) const {
  return Base64Encode(HmacSha256(key_, "secret\n" + std::string(access_key_id))).substr(0, 40);
}

Credential SessionCredentials::CredentialFor(const SessionClaims& claims,
                                             std::string access_key_id) const {
  Credential c;
  c.secret_access_key = SecretFor(access_key_id);
  c.access_key_id = std::move(access_key_id);
  c.principal_arn = AssumedRoleArn(claims);
  c.user_id = claims.role_id + ":" + claims.session_name;
  c.role_name = claims.role_name;
  c.role_arn = "arn:aws:iam::" + claims.account_id + ":role" + claims.role_path + claims.role_name;
  c.expires_ms = claims.expires_ms;
  return c;
}

Credential SessionCredentials::Issue(const SessionClaims& claims) const {
  Credential c = CredentialFor(claims, NewAccessKeyId("ASIA"));
  std::string body =
      nlohmann::json{{"k", c.access_key_id},  {"a", claims.account_id}, {"n", claims.role_name},
                     {"p", claims.role_path}, {"i", claims.role_id},    {"s", claims.session_name},
                     {"e", claims.expires_ms}}
          .dump();
  c.session_token = Base64Encode(body + TokenMac(key_, body));
  return c;
}

StatusOr<Credential> SessionCredentials::FindSession(std::string_view access_key_id,
                                                     std::string_view session_token) const {
  std::string raw;
  if (!Base64Decode(session_token, raw) || raw.size() <= kMacBytes) return UnrecognizedClient();
  std::string_view body = std::string_view(raw).substr(0, raw.size() - kMacBytes);
  std::string_view mac = std::string_view(raw).substr(raw.size() - kMacBytes);
  if (!SecureEquals(TokenMac(key_, body), mac)) return UnrecognizedClient();
  // The MAC held: the claims are ours, so their shape is too.
  nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || j.value("k", "") != access_key_id) return UnrecognizedClient();
  SessionClaims claims{j.value("a", ""), j.value("n", ""), j.value("p", "/"),
                       j.value("i", ""), j.value("s", ""), j.value("e", int64_t{0})};
  if (clock_->NowMillis() >= claims.expires_ms) return ExpiredToken();
  Credential c = CredentialFor(claims, std::string(access_key_id));
  c.session_token = std::string(session_token);
  return c;
}

}  // namespace lamina::auth
