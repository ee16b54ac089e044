// Function code unpacked on disk, once per package: `<dir>/<sha256 hex>/`, read-only to the
// sandbox (bound at /var/task). Packages were checked when uploaded (lambda/code_package.h); they
// are unpacked to a temp directory and renamed into place, so a directory that exists is whole.
// Thread-safe.
#pragma once

#include <mutex>
#include <set>
#include <string>

#include "common/status.h"
#include "store/blob_store.h"

namespace lamina::sandbox {

class CodeCache {
 public:
  CodeCache(std::string dir, const store::BlobStore* blobs) : dir_(std::move(dir)), blobs_(blobs) {}

  // Creates the directory, and removes unpacked packages whose blob is gone (their function was
  // deleted or updated while the daemon ran: while it runs, an unpacked package may still be
  // bound into a live environment, so it is only ever removed here, at start).
  Status Init();
  // The directory holding the unpacked package `blob`, unpacking it first if needed.
  StatusOr<std::string> Materialize(const std::string& blob);
  // Whether `blob` is known to be unpacked (Materialize would not touch the disk).
  bool IsUnpacked(const std::string& blob) const;

 private:
  std::string dir_;
  const store::BlobStore* blobs_;
  std::mutex unpack_mu_;  // serialises unpacking
  mutable std::mutex known_mu_;
  std::set<std::string> unpacked_;  // guarded by known_mu_; blobs seen unpacked
};

}  // namespace lamina::sandbox
