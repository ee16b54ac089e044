// Presigned URLs: PresignGet round trips through Verify, and what makes a presigned URL fail.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "auth/sigv4.h"
#include "common/clock.h"
#include "sigv4_test_util.h"

namespace lamina::auth {
namespace {

using test_util::ExampleCredential;
using test_util::kVectorDateMs;

constexpr char kHost[] = "127.0.0.1:9001";

class PresignTest : public ::testing::TestWithParam<const char*> {
 protected:
  std::string service() const { return GetParam(); }
  std::string Presign(const std::string& path, int expires_s) {
    return PresignGet(kHost, path, ExampleCredential(), "us-east-1", service(), kVectorDateMs,
                      expires_s);
  }
  static http::HttpRequest Get(const std::string& target, const char* host = kHost) {
    return test_util::MakeRequest("GET", target, {{"Host", host}});
  }
  Status Check(const http::HttpRequest& request, int64_t now_ms = kVectorDateMs) {
    FakeClock clock(now_ms);
    return Verify(request, credentials_, clock, {.region = "us-east-1"}).status();
  }

  test_util::FakeCredentials credentials_{ExampleCredential()};
};

void ExpectRefused(const Status& status, const char* aws_type) {
  ASSERT_FALSE(status.ok()) << "expected " << aws_type;
  EXPECT_EQ(status.code(), Code::kUnauthenticated) << status.ToString();
  EXPECT_EQ(status.aws_type(), aws_type) << status.ToString();
}

TEST_P(PresignTest, UrlHasTheDocumentedShape) {
  std::string url = Presign("/bucket/key", 600);
  std::string prefix =
      "/bucket/key?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F"
      "20150830%2Fus-east-1%2F" +
      service() +
      "%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=600&"
      "X-Amz-SignedHeaders=host&X-Amz-Signature=";
  ASSERT_EQ(url.substr(0, prefix.size()), prefix);
  EXPECT_EQ(url.size(), prefix.size() + 64);
}

TEST_P(PresignTest, RoundTrips) {
  for (const char* path : {"/", "/bucket/key", "/code/my%20fn%20%E1%88%B4.zip", "/a%2Fb/c~d"}) {
    SCOPED_TRACE(path);
    StatusOr<Principal> principal =
        Verify(Get(Presign(path, 600)), credentials_, FakeClock(kVectorDateMs), {});
    ASSERT_TRUE(principal.ok()) << principal.status().ToString();
    EXPECT_EQ(principal->arn, "arn:aws:iam::123456789012:user/example");
  }
}

TEST_P(PresignTest, ValidUntilItsExpiryAndNotAfter) {
  http::HttpRequest request = Get(Presign("/bucket/key", 600));
  EXPECT_TRUE(Check(request, kVectorDateMs + 600 * 1000).ok());
  Status status = Check(request, kVectorDateMs + 600 * 1000 + 1);
  ExpectRefused(status, "InvalidSignatureException");
  EXPECT_NE(status.message().find("Signature expired"), std::string::npos) << status.message();
}

TEST_P(PresignTest, TamperingIsRejected) {
  std::string url = Presign("/bucket/key", 600);
  ExpectRefused(Check(Get(url, "other-host:9001")), "InvalidSignatureException");

  std::string other_path = url;
  other_path.replace(0, 11, "/bucket/kez");
  ExpectRefused(Check(Get(other_path)), "InvalidSignatureException");

  ExpectRefused(Check(Get(url + "&extra=1")), "InvalidSignatureException");

  std::string longer = url;
  longer.replace(longer.find("X-Amz-Expires=600"), 17, "X-Amz-Expires=601");
  ExpectRefused(Check(Get(longer)), "InvalidSignatureException");

  std::string other_key = url;
  other_key.replace(other_key.find("AKIDEXAMPLE"), 11, "AKIDEXAMPLF");
  ExpectRefused(Check(Get(other_key)), "UnrecognizedClientException");
}

TEST_P(PresignTest, MalformedPresignedQueriesAreIncomplete) {
  std::string url = Presign("/bucket/key", 600);
  auto without = [&](const std::string& param) {
    std::string out = url;
    size_t pos = out.find(param);
    size_t end = out.find('&', pos);
    out.erase(pos, end == std::string::npos ? std::string::npos : end - pos + 1);
    if (out.back() == '&') out.pop_back();
    return out;
  };
  for (const char* param :
       {"X-Amz-Credential=", "X-Amz-Signature=", "X-Amz-SignedHeaders=", "X-Amz-Date="}) {
    SCOPED_TRACE(param);
    ExpectRefused(Check(Get(without(param))), "IncompleteSignatureException");
  }
  for (const char* expires : {"X-Amz-Expires=604801", "X-Amz-Expires=-1", "X-Amz-Expires=abc",
                              "X-Amz-Expires=", "X-Amz-Expires=60s"}) {
    SCOPED_TRACE(expires);
    std::string bad = url;
    bad.replace(bad.find("X-Amz-Expires=600"), 17, expires);
    ExpectRefused(Check(Get(bad)), "IncompleteSignatureException");
  }
  std::string sha1 = url;
  sha1.replace(sha1.find("AWS4-HMAC-SHA256"), 16, "AWS4-HMAC-SHA1");
  ExpectRefused(Check(Get(sha1)), "IncompleteSignatureException");
}

TEST_P(PresignTest, PresignedLifetimeIsNotTheHeaderSkew) {
  // A week-long URL is still good six days later, far beyond the 15 minutes a header may lag.
  http::HttpRequest request = Get(Presign("/bucket/key", 604800));
  EXPECT_TRUE(Check(request, kVectorDateMs + int64_t{6} * 24 * 3600 * 1000).ok());
}

INSTANTIATE_TEST_SUITE_P(Services, PresignTest, ::testing::Values("s3", "lambda"));

TEST(PresignEncodingTest, S3PathIsSignedAsSentOthersAreNormalised) {
  // "/a/./b" is a different object from "/a/b" in S3, so the presigned URL of one must not open
  // the other; for other services both name the same resource.
  test_util::FakeCredentials credentials(ExampleCredential());
  FakeClock clock(kVectorDateMs);
  auto verify = [&](const std::string& service, const std::string& signed_path,
                    const std::string& requested_path) {
    std::string url = PresignGet(kHost, signed_path, ExampleCredential(), "us-east-1", service,
                                 kVectorDateMs, 60);
    url.replace(0, signed_path.size(), requested_path);
    return Verify(test_util::MakeRequest("GET", url, {{"Host", kHost}}), credentials, clock, {})
        .ok();
  };
  EXPECT_FALSE(verify("s3", "/a/./b", "/a/b"));
  EXPECT_TRUE(verify("lambda", "/a/./b", "/a/b"));
}

}  // namespace
}  // namespace lamina::auth

namespace lamina::auth {
namespace {

// What SignRequest produces, Verify accepts; and a change after signing is caught.
TEST(SigV4SignRequest, RoundTripsThroughVerify) {
  struct OneKey : CredentialProvider {
    Credential c{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                 "arn:aws:iam::000000000000:root", "000000000000"};
    std::optional<Credential> Find(std::string_view id) const override {
      return id == c.access_key_id ? std::optional<Credential>(c) : std::nullopt;
    }
  } keys;
  FakeClock clock(1700000000000);
  http::HttpRequest r;
  r.method = "POST";
  r.path = "/2015-03-31/functions/my%3Afn/invocations";
  r.query = "Qualifier=%24LATEST";
  r.AddHeader("Host", "127.0.0.1:4566");
  r.AddHeader("X-Amz-Log-Type", "Tail");
  r.body = "{\"a\":1}";
  SignRequest(r, keys.c, "us-east-1", "lambda", clock.NowMillis());
  VerifyOptions options;
  options.region = "us-east-1";
  EXPECT_TRUE(Verify(r, keys, clock, options).ok());
  for (auto& [name, value] : r.headers) {
    if (name == "x-amz-log-type") value = "None";
  }
  auto tampered = Verify(r, keys, clock, options);
  ASSERT_FALSE(tampered.ok());
  EXPECT_EQ(tampered.status().aws_type(), "InvalidSignatureException");
}

}  // namespace
}  // namespace lamina::auth
