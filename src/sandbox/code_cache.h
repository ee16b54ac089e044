// Function code unpacked on disk, once per package: `<dir>/<sha256 hex>/`, read-only to the
// sandbox (bound at /var/task). Packages were checked when uploaded (lambda/code_package.h); they
// are unpacked to a temp directory and renamed into place, so a directory that exists is whole.
// Thread-safe.
#pragma once

#include <mutex>
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

 private:
  std::string dir_;
  const store::BlobStore* blobs_;
  std::mutex mu_;  // serialises unpacking
};

}  // namespace lamina::sandbox
