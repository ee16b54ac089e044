// Shared by the SigV4 tests: a credential provider for tests, a request builder, and AWS's
// published Signature Version 4 test suite (aws-sig-v4-test-suite, 2015-08-30 edition).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/credentials.h"
#include "http/message.h"

namespace lamina::auth::test_util {

// The test suite's credentials, region and date.
inline constexpr char kAccessKey[] = "AKIDEXAMPLE";
inline constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
inline constexpr char kRegion[] = "us-east-1";
inline constexpr char kAmzDate[] = "20150830T123600Z";
inline constexpr int64_t kVectorDateMs = 1440938160000;  // 2015-08-30T12:36:00Z
inline constexpr int64_t kMinuteMs = 60 * 1000;

inline Credential ExampleCredential(std::string secret = kSecret) {
  return Credential{kAccessKey, std::move(secret), "arn:aws:iam::123456789012:user/example",
                    "AIDAEXAMPLEUSERID"};
}

class FakeCredentials final : public CredentialProvider {
 public:
  FakeCredentials() = default;
  explicit FakeCredentials(Credential credential) { Add(std::move(credential)); }
  void Add(Credential credential) {
    std::string id = credential.access_key_id;
    keys_[id] = std::move(credential);
  }
  std::optional<Credential> Find(std::string_view access_key_id) const override {
    auto it = keys_.find(access_key_id);
    if (it == keys_.end()) return std::nullopt;
    return it->second;
  }
  // AWS's suite signs some requests with a session token and its long-term example key: any
  // token goes with a known key here.
  StatusOr<Credential> FindSession(std::string_view access_key_id,
                                   std::string_view) const override {
    auto found = Find(access_key_id);
    if (!found) return UnrecognizedClient();
    return *found;
  }

 private:
  std::map<std::string, Credential, std::less<>> keys_;
};

// A request as the HTTP server hands it over: the target split into raw path and raw query,
// header names lowercased.
inline http::HttpRequest MakeRequest(std::string method, std::string target,
                                     const http::Headers& headers, std::string body = {}) {
  http::HttpRequest request;
  request.method = std::move(method);
  request.target = target;
  size_t q = target.find('?');
  request.path = target.substr(0, q);
  request.query = q == std::string::npos ? std::string() : target.substr(q + 1);
  for (const auto& [name, value] : headers) request.AddHeader(name, value);
  request.body = std::move(body);
  return request;
}

// Replaces the first header `name` (lowercase); the header must exist.
inline void SetHeader(http::HttpRequest& request, std::string_view name, std::string value) {
  for (auto& [k, v] : request.headers) {
    if (k == name) {
      v = std::move(value);
      return;
    }
  }
  request.AddHeader(std::string(name), std::move(value));
}

inline void RemoveHeader(http::HttpRequest& request, std::string_view name) {
  std::erase_if(request.headers, [&](const auto& h) { return h.first == name; });
}

// One vector of the test suite: the request of its .req file and the signature of its .authz
// file.
struct SuiteVector {
  std::string name;
  std::string service;
  std::string method;
  std::string target;  // as on the request line, raw
  http::Headers headers;
  std::string body;
  std::string signed_headers;
  std::string signature;

  std::string Authorization() const {
    return "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/" + service +
           "/aws4_request, SignedHeaders=" + signed_headers + ", Signature=" + signature;
  }
  http::HttpRequest Request() const {
    http::HttpRequest request = MakeRequest(method, target, headers, body);
    request.AddHeader("Authorization", Authorization());
    return request;
  }
};

inline void PrintTo(const SuiteVector& v, std::ostream* os) { *os << v.name; }

inline constexpr char kStsToken[] =
    "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPf"
    "IeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7W"
    "Z0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8F"
    "DrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";

// get-header-value-multiline is left out: it needs obs-fold header continuation lines, which
// the HTTP server does not accept. post-x-www-form-urlencoded-parameters is left out because
// its published files disagree with one another (authz and sreq name different signed headers).
inline std::vector<SuiteVector> AwsSuiteVectors() {
  const http::Headers kBase = {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", kAmzDate}};
  auto with = [&](http::Headers extra) {
    http::Headers h = kBase;
    h.insert(h.begin() + 1, extra.begin(), extra.end());
    return h;
  };
  constexpr char kHostDate[] = "host;x-amz-date";
  constexpr char kHostHeader1Date[] = "host;my-header1;x-amz-date";
  return {
      {"get-vanilla", "service", "GET", "/", kBase, "", kHostDate,
       "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
      {"get-vanilla-empty-query-key", "service", "GET", "/?Param1=value1", kBase, "", kHostDate,
       "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"},
      {"get-vanilla-query-order-key", "service", "GET", "/?Param1=value2&Param1=Value1", kBase, "",
       kHostDate, "eedbc4e291e521cf13422ffca22be7d2eb8146eecf653089df300a15b2382bd1"},
      {"get-vanilla-query-order-key-case", "service", "GET", "/?Param2=value2&Param1=value1", kBase,
       "", kHostDate, "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"},
      {"get-vanilla-query-order-value", "service", "GET", "/?Param1=value2&Param1=value1", kBase,
       "", kHostDate, "5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694"},
      {"get-vanilla-query-unreserved", "service", "GET",
       "/?-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz="
       "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
       kBase, "", kHostDate, "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"},
      {"get-vanilla-utf8-query", "service", "GET", "/?\xE1\x88\xB4=bar", kBase, "", kHostDate,
       "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"},
      {"get-unreserved", "service", "GET",
       "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", kBase, "", kHostDate,
       "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"},
      {"get-utf8", "service", "GET", "/\xE1\x88\xB4", kBase, "", kHostDate,
       "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"},
      {"get-header-key-duplicate", "service", "GET", "/",
       with({{"My-Header1", "value2"}, {"My-Header1", "value2"}, {"My-Header1", "value1"}}), "",
       kHostHeader1Date, "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"},
      {"get-header-value-order", "service", "GET", "/",
       with({{"My-Header1", "value4"},
             {"My-Header1", "value1"},
             {"My-Header1", "value3"},
             {"My-Header1", "value2"}}),
       "", kHostHeader1Date, "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01"},
      {"get-header-value-trim", "service", "GET", "/",
       with({{"My-Header1", " value1"}, {"My-Header2", " \"a   b   c\""}}), "",
       "host;my-header1;my-header2;x-amz-date",
       "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"},
      {"post-vanilla", "service", "POST", "/", kBase, "", kHostDate,
       "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
      {"post-vanilla-query", "service", "POST", "/?Param1=value1", kBase, "", kHostDate,
       "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"},
      {"post-header-key-case",
       "service",
       "POST",
       "/",
       {{"HOST", "example.amazonaws.com"}, {"x-AMZ-date", kAmzDate}},
       "",
       kHostDate,
       "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
      {"post-header-key-sort", "service", "POST", "/", with({{"My-Header1", "value1"}}), "",
       kHostHeader1Date, "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c"},
      {"post-header-value-case", "service", "POST", "/", with({{"My-Header1", "VALUE1"}}), "",
       kHostHeader1Date, "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d"},
      {"post-x-www-form-urlencoded",
       "service",
       "POST",
       "/",
       {{"Content-Type", "application/x-www-form-urlencoded"},
        {"Host", "example.amazonaws.com"},
        {"X-Amz-Date", kAmzDate},
        {"Content-Length", "13"}},
       "Param1=value1",
       "content-type;host;x-amz-date",
       "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"},
      {"post-sts-header-before",
       "service",
       "POST",
       "/",
       {{"Host", "example.amazonaws.com"},
        {"X-Amz-Date", kAmzDate},
        {"X-Amz-Security-Token", kStsToken}},
       "",
       "host;x-amz-date;x-amz-security-token",
       "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"},
      {"post-sts-header-after",
       "service",
       "POST",
       "/",
       {{"Host", "example.amazonaws.com"},
        {"X-Amz-Date", kAmzDate},
        {"X-Amz-Security-Token", kStsToken}},
       "",
       kHostDate,
       "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
      // normalize-path
      {"get-relative", "service", "GET", "/example/..", kBase, "", kHostDate,
       "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
      {"get-relative-relative", "service", "GET", "/example1/example2/../..", kBase, "", kHostDate,
       "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
      {"get-slash", "service", "GET", "//", kBase, "", kHostDate,
       "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
      {"get-slash-dot-slash", "service", "GET", "/./", kBase, "", kHostDate,
       "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
      {"get-slash-pointless-dot", "service", "GET", "/./example", kBase, "", kHostDate,
       "ef75d96142cf21edca26f06005da7988e4f8dc83a165a80865db7089db637ec5"},
      {"get-slashes", "service", "GET", "//example//", kBase, "", kHostDate,
       "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84"},
      {"get-space", "service", "GET", "/example space/", kBase, "", kHostDate,
       "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741"},
      // The IAM ListUsers example of AWS's "Signature Version 4 signing process" documentation.
      {"iam-list-users-doc-example",
       "iam",
       "GET",
       "/?Action=ListUsers&Version=2010-05-08",
       {{"Host", "iam.amazonaws.com"},
        {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
        {"X-Amz-Date", kAmzDate}},
       "",
       "content-type;host;x-amz-date",
       "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"},
  };
}

inline SuiteVector SuiteVectorNamed(std::string_view name) {
  for (SuiteVector& v : AwsSuiteVectors()) {
    if (v.name == name) return v;
  }
  return {};
}

}  // namespace lamina::auth::test_util
