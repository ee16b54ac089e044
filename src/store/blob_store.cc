#include "store/blob_store.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/crypto.h"
#include "common/file_util.h"

namespace lamina::store {
namespace {

bool IsHexDigest(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

Status BlobStore::Init() { return MakeDirs(dir_, 0700); }

std::string BlobStore::PathOf(const std::string& sha256_hex) const {
  return dir_ + "/" + sha256_hex.substr(0, 2) + "/" + sha256_hex;
}

StatusOr<std::string> BlobStore::Put(const std::string& data) {
  std::string digest = HexEncode(Sha256(data));
  std::string path = PathOf(digest);
  if (::access(path.c_str(), F_OK) == 0) return digest;
  RETURN_IF_ERROR(MakeDirs(dir_ + "/" + digest.substr(0, 2), 0700));
  RETURN_IF_ERROR(WriteFileDurably(path, data, 0600));
  return digest;
}

StatusOr<std::string> BlobStore::Get(const std::string& sha256_hex) const {
  if (!IsHexDigest(sha256_hex)) return NotFound("no blob " + sha256_hex);
  std::string data;
  RETURN_IF_ERROR(ReadFile(PathOf(sha256_hex), data));
  return data;
}

bool BlobStore::Contains(const std::string& sha256_hex) const {
  return IsHexDigest(sha256_hex) && ::access(PathOf(sha256_hex).c_str(), F_OK) == 0;
}

Status BlobStore::Remove(const std::string& sha256_hex) {
  if (!IsHexDigest(sha256_hex)) return NotFound("no blob " + sha256_hex);
  if (::unlink(PathOf(sha256_hex).c_str()) != 0) {
    // Already gone (its fan-out directory may never have existed): nothing to make durable.
    if (errno == ENOENT) return Status::Ok();
    return Internal("unlink blob " + sha256_hex + ": " + std::strerror(errno));
  }
  return SyncDir(dir_ + "/" + sha256_hex.substr(0, 2));
}

}  // namespace lamina::store
