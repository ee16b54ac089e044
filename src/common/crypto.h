// Hashes, MACs, encodings and randomness (OpenSSL underneath).
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace lamina {

std::string Sha256(std::string_view data);                            // 32 raw bytes
std::string Md5(std::string_view data);                               // 16 raw bytes
std::string HmacSha256(std::string_view key, std::string_view data);  // 32 raw bytes
std::string HexEncode(std::string_view bytes);                        // lowercase
std::string Base64Encode(std::string_view bytes);
// Strict RFC 4648 decoding (padding required, no whitespace). False on malformed input.
bool Base64Decode(std::string_view text, std::string& out);
// Cryptographically secure random bytes, for secrets (keys, tokens).
std::string RandomBytes(size_t n);
// Random bytes for identifiers that must be unique but are no secret (request, revision and trace
// ids): a per-thread generator seeded from RandomBytes, so no system call per id.
std::string UniqueBytes(size_t n);
// A random RFC 4122 version-4 UUID, lowercase, from UniqueBytes.
std::string RandomUuid();
// An incremental digest, for data that comes in pieces (a streamed upload). Movable, not copyable.
class Digest {
 public:
  static Digest Sha256();
  static Digest Md5();
  Digest(Digest&&) noexcept;
  Digest& operator=(Digest&&) noexcept;
  ~Digest();
  void Update(std::string_view data);
  // The raw digest of everything updated so far; the digest starts over afterwards.
  std::string Final();

 private:
  struct Ctx;
  explicit Digest(const char* algorithm);
  std::unique_ptr<Ctx> ctx_;
};

// Constant-time comparison.
bool SecureEquals(std::string_view a, std::string_view b);

}  // namespace lamina
