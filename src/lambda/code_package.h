// Checks a deployment package (a zip) before it is stored: that it is a readable zip whose every
// entry decompresses with a good CRC, that no entry or symlink escapes the package root, and that
// it stays within Lambda's size limits. Reads the whole archive; never writes to disk.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"

namespace lamina::lambda {

inline constexpr int64_t kMaxUnzippedBytes = 262'144'000;
inline constexpr int64_t kMaxEntries = 100'000;

struct PackageInfo {
  int64_t zipped_bytes = 0;
  int64_t unzipped_bytes = 0;
  int64_t entries = 0;
};

// InvalidParameterValueException with AWS's messages when the package is unusable.
StatusOr<PackageInfo> InspectPackage(const std::string& zip);

}  // namespace lamina::lambda
