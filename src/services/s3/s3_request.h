// Which bucket and key an S3 request names: from the path (path-style, /bucket/key) or from the
// Host (virtual-host-style, bucket.localhost or bucket.s3.<region>.amazonaws.com), and its
// decoded query parameters, which name the sub-resource (?uploads, ?tagging, ...).
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "common/uri.h"
#include "http/message.h"

namespace lamina::services::s3 {

struct S3Request {
  std::string bucket;  // empty: the service itself (ListBuckets)
  std::string key;     // decoded; empty: the bucket
  QueryParams query;   // decoded, in order

  bool Has(std::string_view name) const { return Query(name) != nullptr; }
  const std::string* Query(std::string_view name) const;
  // The parameter's value, "" when absent.
  std::string Value(std::string_view name) const;
};

// An integer parameter of at least `low`, `fallback` when absent; one above `high` is taken as
// `high` (a page size) unless `strict` (a part number). InvalidArgument with `message` otherwise.
StatusOr<int> IntParameter(const S3Request& request, std::string_view name, int fallback, int low,
                           int high, std::string message, bool strict = false);

// kInvalidArgument for a path or query with a malformed percent-escape.
StatusOr<S3Request> ParseS3Request(const http::HttpRequest& request);

// The bucket a Host header names in virtual-host style, or "" for a path-style host.
std::string VirtualHostBucket(std::string_view host);

}  // namespace lamina::services::s3
