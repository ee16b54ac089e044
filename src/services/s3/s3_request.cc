#include "services/s3/s3_request.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "services/s3/s3_errors.h"

namespace lamina::services::s3 {
namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool IsIpLiteral(std::string_view host) {
  if (!host.empty() && host.front() == '[') return true;  // IPv6
  for (char c : host) {
    if (!std::isdigit(static_cast<unsigned char>(c)) && c != '.') return false;
  }
  return true;
}

}  // namespace

const std::string* S3Request::Query(std::string_view name) const {
  for (const auto& [k, v] : query) {
    if (k == name) return &v;
  }
  return nullptr;
}

std::string S3Request::Value(std::string_view name) const {
  const std::string* v = Query(name);
  return v ? *v : std::string();
}

StatusOr<int> IntParameter(const S3Request& request, std::string_view name, int fallback, int low,
                           int high, std::string message, bool strict) {
  const std::string* v = request.Query(name);
  if (!v) return fallback;
  long n = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec == std::errc() && end == v->data() + v->size() && n >= low && (!strict || n <= high)) {
    return static_cast<int>(std::min<long>(n, high));
  }
  return InvalidArgument(std::move(message));
}

std::string VirtualHostBucket(std::string_view host) {
  if (!host.empty() && host.front() != '[') {
    if (size_t colon = host.rfind(':'); colon != std::string_view::npos) {
      host = host.substr(0, colon);
    }
  }
  if (host.empty() || IsIpLiteral(host)) return "";
  std::string lower(host);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view h = lower;
  // bucket.localhost, bucket.s3.localhost
  if (EndsWith(h, ".localhost")) {
    std::string_view bucket = h.substr(0, h.size() - 10);
    if (EndsWith(bucket, ".s3")) bucket.remove_suffix(3);
    if (bucket == "s3") return "";
    return std::string(host.substr(0, bucket.size()));
  }
  // bucket.s3.amazonaws.com, bucket.s3.<region>.amazonaws.com, bucket.s3-<region>...
  for (std::string_view marker : {".s3.", ".s3-"}) {
    if (size_t at = h.rfind(marker); at != std::string_view::npos && at > 0) {
      return std::string(host.substr(0, at));
    }
  }
  return "";
}

StatusOr<S3Request> ParseS3Request(const http::HttpRequest& request) {
  S3Request out;
  if (!ParseQuery(request.query, out.query)) {
    return InvalidArgument("The query string has a malformed percent-escape.");
  }
  std::string path;
  if (!UriDecode(request.path, path)) {
    return InvalidArgument("The request path has a malformed percent-escape.");
  }
  std::string_view rest = path;
  if (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);
  const std::string* host = request.Header("host");
  std::string bucket = host ? VirtualHostBucket(*host) : "";
  if (!bucket.empty()) {
    out.bucket = std::move(bucket);
    out.key = std::string(rest);
    return out;
  }
  size_t slash = rest.find('/');
  out.bucket = std::string(rest.substr(0, slash));
  if (slash != std::string_view::npos) out.key = std::string(rest.substr(slash + 1));
  return out;
}

}  // namespace lamina::services::s3
