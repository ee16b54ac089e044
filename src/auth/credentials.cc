#include "auth/credentials.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "common/crypto.h"
#include "common/file_util.h"

namespace lamina::auth {
namespace {

std::string NewSecret() {
  std::string s = Base64Encode(RandomBytes(30));  // 40 characters
  for (char& c : s) {
    if (c == '/') c = 'x';  // keep it copy-paste friendly
  }
  return s;
}

// Reads `key = value` lines of the [default] profile.
void ParseProfile(const std::string& text, Credential& out) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    auto trim = [](std::string s) {
      size_t b = s.find_first_not_of(" \t\r"), e = s.find_last_not_of(" \t\r");
      return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
    };
    std::string key = trim(line.substr(0, eq)), value = trim(line.substr(eq + 1));
    if (key == "aws_access_key_id") out.access_key_id = value;
    if (key == "aws_secret_access_key") out.secret_access_key = value;
  }
}

}  // namespace

std::string NewAccessKeyId(std::string_view prefix) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string bytes = RandomBytes(16);
  std::string id(prefix);
  for (unsigned char b : bytes) id += kAlphabet[b % 32];
  return id;
}

StatusOr<Credential> ReadCredentialsFile(const std::string& path) {
  std::string text;
  RETURN_IF_ERROR(ReadFile(path, text));
  Credential credential;
  ParseProfile(text, credential);
  if (credential.access_key_id.empty() || credential.secret_access_key.empty()) {
    return Internal(path + " has no [default] aws_access_key_id/aws_secret_access_key");
  }
  return credential;
}

StatusOr<AdminCredentials> AdminCredentials::LoadOrCreate(const std::string& data_dir,
                                                          const std::string& account_id,
                                                          bool* created) {
  *created = false;
  std::string path = data_dir + "/credentials";
  Credential admin;
  admin.principal_arn = "arn:aws:iam::" + account_id + ":root";
  admin.user_id = account_id;

  auto existing = ReadCredentialsFile(path);
  if (existing.ok()) {
    admin.access_key_id = existing->access_key_id;
    admin.secret_access_key = existing->secret_access_key;
    return AdminCredentials(std::move(admin), std::move(path));
  }
  if (existing.status().code() != Code::kNotFound) return existing.status();
  std::string text;

  admin.access_key_id = NewAccessKeyId("LKIA");
  admin.secret_access_key = NewSecret();
  text = "[default]\naws_access_key_id = " + admin.access_key_id +
         "\naws_secret_access_key = " + admin.secret_access_key + "\n";
  RETURN_IF_ERROR(MakeDirs(data_dir, 0700));
  RETURN_IF_ERROR(WriteFileDurably(path, text, 0600));
  *created = true;
  return AdminCredentials(std::move(admin), std::move(path));
}

Status UnrecognizedClient() {
  return Unauthenticated("The security token included in the request is invalid.",
                         "UnrecognizedClientException");
}

StatusOr<Credential> CredentialProvider::FindSession(std::string_view, std::string_view) const {
  return UnrecognizedClient();
}

std::optional<Credential> AdminCredentials::Find(std::string_view access_key_id) const {
  if (access_key_id == admin_.access_key_id) return admin_;
  return std::nullopt;
}

}  // namespace lamina::auth
