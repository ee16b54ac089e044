// Query-protocol request bodies for IAM/STS tests: Action=...&Name=value, form-encoded.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/uri.h"

namespace lamina::services::iam {

using Params = std::vector<std::pair<std::string, std::string>>;

inline std::string Form(const Params& params) {
  std::string body;
  for (const auto& [key, value] : params) {
    if (!body.empty()) body += '&';
    body += UriEncode(key) + "=" + UriEncode(value);
  }
  return body;
}

}  // namespace lamina::services::iam
