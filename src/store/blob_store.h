// Content-addressed blobs on disk (function code packages), named by their SHA-256.
//
// Put writes the blob durably (temp file, fsync, rename, fsync dir) before returning, so a
// record that names a blob can be committed after Put and the blob is always there for it. A
// crash between the two leaves an unreferenced blob, never a dangling reference. Thread-safe.
#pragma once

#include <string>

#include "common/status.h"

namespace lamina::store {

class BlobStore {
 public:
  explicit BlobStore(std::string dir) : dir_(std::move(dir)) {}

  Status Init();
  // Stores `data`; returns its lowercase hex SHA-256. Idempotent.
  StatusOr<std::string> Put(const std::string& data);
  // Reads a blob by hex SHA-256. NotFound when absent.
  StatusOr<std::string> Get(const std::string& sha256_hex) const;
  // Deletes a blob durably. OK when it is already absent; NotFound for a malformed digest.
  // Whether the blob is stored (without reading it).
  bool Contains(const std::string& sha256_hex) const;
  Status Remove(const std::string& sha256_hex);
  std::string PathOf(const std::string& sha256_hex) const;

 private:
  std::string dir_;
};

}  // namespace lamina::store
