#include "common/crypto.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>

namespace lamina {

namespace {

// OpenSSL 3's one-shot SHA256() and HMAC() look the algorithm up on every call, which costs more
// than hashing a request. Fetch it once, and keep one HMAC context per thread.
const EVP_MD* Sha256Md() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

struct MacCtxFree {
  void operator()(EVP_MAC_CTX* ctx) const { EVP_MAC_CTX_free(ctx); }
};

EVP_MAC_CTX* ThreadHmacSha256() {
  thread_local std::unique_ptr<EVP_MAC_CTX, MacCtxFree> ctx = [] {
    static EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    std::unique_ptr<EVP_MAC_CTX, MacCtxFree> c(EVP_MAC_CTX_new(mac));
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest, 0),
                           OSSL_PARAM_construct_end()};
    if (!c || EVP_MAC_CTX_set_params(c.get(), params) != 1) std::abort();
    return c;
  }();
  return ctx.get();
}

}  // namespace

std::string Sha256(std::string_view data) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  if (EVP_Digest(data.data(), data.size(), md, nullptr, Sha256Md(), nullptr) != 1) std::abort();
  return std::string(reinterpret_cast<char*>(md), sizeof md);
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  EVP_MAC_CTX* ctx = ThreadHmacSha256();
  unsigned char md[SHA256_DIGEST_LENGTH];
  size_t len = 0;
  // Re-initialising with a new key keeps the digest set above. A null key would mean "the
  // previous key", so an empty one must still point somewhere.
  static const unsigned char kNoKey[1] = {0};
  const unsigned char* key_bytes =
      key.empty() ? kNoKey : reinterpret_cast<const unsigned char*>(key.data());
  if (EVP_MAC_init(ctx, key_bytes, key.size(), nullptr) != 1 ||
      EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1 ||
      EVP_MAC_final(ctx, md, &len, sizeof md) != 1) {
    std::abort();
  }
  return std::string(reinterpret_cast<char*>(md), len);
}

std::string HexEncode(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

std::string Base64Encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(n);
  return out;
}

bool Base64Decode(std::string_view text, std::string& out) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  if (text.size() % 4 != 0) return false;
  size_t pad = 0;
  if (!text.empty() && text.back() == '=') ++pad;
  if (text.size() > 1 && text[text.size() - 2] == '=') ++pad;
  for (size_t i = 0; i < text.size() - pad; ++i) {
    if (kAlphabet.find(text[i]) == std::string_view::npos) return false;
  }
  out.assign(3 * text.size() / 4, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) return false;
  out.resize(static_cast<size_t>(n) - pad);  // EVP_DecodeBlock counts padding as zero bytes
  return true;
}

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    std::abort();  // no entropy: nothing secure can be done
  }
  return out;
}

std::string UniqueBytes(size_t n) {
  thread_local std::mt19937_64 generator = [] {
    std::string seed_bytes = RandomBytes(32);
    std::seed_seq seed(seed_bytes.begin(), seed_bytes.end());
    return std::mt19937_64(seed);
  }();
  std::string out(n, '\0');
  for (size_t i = 0; i < n; i += 8) {
    uint64_t word = generator();
    std::memcpy(out.data() + i, &word, std::min<size_t>(8, n - i));
  }
  return out;
}

std::string RandomUuid() {
  std::string b = UniqueBytes(16);
  b[6] = static_cast<char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<char>((b[8] & 0x3f) | 0x80);
  std::string h = HexEncode(b);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20);
}

bool SecureEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

struct Digest::Ctx {
  const EVP_MD* md = nullptr;
  EVP_MD_CTX* ctx = nullptr;
  ~Ctx() { EVP_MD_CTX_free(ctx); }
};

Digest::Digest(const char* algorithm) : ctx_(std::make_unique<Ctx>()) {
  static EVP_MD* md5 = EVP_MD_fetch(nullptr, "MD5", nullptr);
  ctx_->md = std::string_view(algorithm) == "MD5" ? md5 : Sha256Md();
  ctx_->ctx = EVP_MD_CTX_new();
  if (!ctx_->md || !ctx_->ctx || EVP_DigestInit_ex2(ctx_->ctx, ctx_->md, nullptr) != 1) {
    std::abort();
  }
}
Digest::Digest(Digest&&) noexcept = default;
Digest& Digest::operator=(Digest&&) noexcept = default;
Digest::~Digest() = default;
Digest Digest::Sha256() { return Digest("SHA256"); }
Digest Digest::Md5() { return Digest("MD5"); }

void Digest::Update(std::string_view data) {
  EVP_DigestUpdate(ctx_->ctx, data.data(), data.size());
}

std::string Digest::Final() {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_DigestFinal_ex(ctx_->ctx, out, &n);
  EVP_DigestInit_ex2(ctx_->ctx, ctx_->md, nullptr);
  return std::string(reinterpret_cast<char*>(out), n);
}

std::string Md5(std::string_view data) {
  static EVP_MD* md5 = EVP_MD_fetch(nullptr, "MD5", nullptr);
  unsigned char md[16];
  if (EVP_Digest(data.data(), data.size(), md, nullptr, md5, nullptr) != 1) std::abort();
  return std::string(reinterpret_cast<char*>(md), sizeof md);
}

}  // namespace lamina
