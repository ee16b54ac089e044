// auth::Verify's refusals, its clock checks, presigned URLs and --auth=off.
#include <gtest/gtest.h>

#include <string>

#include "auth/sigv4.h"
#include "common/clock.h"
#include "sigv4_test_util.h"

namespace lamina::auth {
namespace {

using test_util::ExampleCredential;
using test_util::FakeCredentials;
using test_util::kMinuteMs;
using test_util::kVectorDateMs;
using test_util::SuiteVectorNamed;

constexpr char kScope[] = "AKIDEXAMPLE/20150830/us-east-1/service/aws4_request";
constexpr char kVanillaSignature[] =
    "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";

class VerifyTest : public ::testing::Test {
 protected:
  Status Check(const http::HttpRequest& request) {
    return Verify(request, credentials_, clock_, options_).status();
  }
  // The status of verifying get-vanilla with its Authorization header replaced.
  Status CheckAuthorization(const std::string& authorization) {
    http::HttpRequest request = SuiteVectorNamed("get-vanilla").Request();
    test_util::SetHeader(request, "authorization", authorization);
    return Check(request);
  }

  FakeCredentials credentials_{ExampleCredential()};
  FakeClock clock_{kVectorDateMs};
  VerifyOptions options_{.region = "us-east-1"};
};

void ExpectRefused(const Status& status, const char* aws_type) {
  ASSERT_FALSE(status.ok()) << "expected " << aws_type;
  EXPECT_EQ(status.code(), Code::kUnauthenticated) << status.ToString();
  EXPECT_EQ(status.aws_type(), aws_type) << status.ToString();
}

TEST_F(VerifyTest, AlteredBodyIsRejected) {
  http::HttpRequest request = SuiteVectorNamed("post-x-www-form-urlencoded").Request();
  ASSERT_TRUE(Check(request).ok());
  request.body = "Param1=value2";
  ExpectRefused(Check(request), "InvalidSignatureException");
}

TEST_F(VerifyTest, AlteredSignedHeaderIsRejected) {
  http::HttpRequest request = SuiteVectorNamed("post-header-key-sort").Request();
  test_util::SetHeader(request, "my-header1", "value2");
  ExpectRefused(Check(request), "InvalidSignatureException");

  request = SuiteVectorNamed("get-vanilla").Request();
  test_util::SetHeader(request, "host", "evil.example.com");
  ExpectRefused(Check(request), "InvalidSignatureException");

  request = SuiteVectorNamed("get-header-key-duplicate").Request();
  request.AddHeader("My-Header1", "smuggled");  // a repeat of a signed header is signed too
  ExpectRefused(Check(request), "InvalidSignatureException");
}

TEST_F(VerifyTest, UnsignedHeadersMayChange) {
  http::HttpRequest request = SuiteVectorNamed("post-sts-header-after").Request();
  test_util::SetHeader(request, "x-amz-security-token", "another token");
  request.AddHeader("User-Agent", "aws-cli/2");
  EXPECT_TRUE(Check(request).ok());
}

TEST_F(VerifyTest, AlteredMethodPathOrQueryIsRejected) {
  http::HttpRequest request = SuiteVectorNamed("get-vanilla-query-order-key-case").Request();
  request.method = "POST";
  ExpectRefused(Check(request), "InvalidSignatureException");

  request = SuiteVectorNamed("get-vanilla-query-order-key-case").Request();
  request.path = "/other";
  ExpectRefused(Check(request), "InvalidSignatureException");

  request = SuiteVectorNamed("get-vanilla-query-order-key-case").Request();
  request.query += "&Param3=value3";
  ExpectRefused(Check(request), "InvalidSignatureException");
}

TEST_F(VerifyTest, UnknownKeyIsUnrecognizedAndWrongSecretIsInvalid) {
  FakeCredentials nobody;
  StatusOr<Principal> unknown =
      Verify(SuiteVectorNamed("get-vanilla").Request(), nobody, clock_, options_);
  ExpectRefused(unknown.status(), "UnrecognizedClientException");

  FakeCredentials wrong(ExampleCredential("not-the-secret"));
  StatusOr<Principal> invalid =
      Verify(SuiteVectorNamed("get-vanilla").Request(), wrong, clock_, options_);
  ExpectRefused(invalid.status(), "InvalidSignatureException");
}

TEST_F(VerifyTest, MissingAuthenticationIsReportedAsSuch) {
  http::HttpRequest request = SuiteVectorNamed("get-vanilla").Request();
  test_util::RemoveHeader(request, "authorization");
  ExpectRefused(Check(request), "MissingAuthenticationTokenException");

  request.query = "Action=ListUsers";  // a query without X-Amz-* is no credential either
  ExpectRefused(Check(request), "MissingAuthenticationTokenException");
}

TEST_F(VerifyTest, IncompleteAuthorizationHeaders) {
  const std::string cred = std::string("Credential=") + kScope;
  const std::string sig = std::string("Signature=") + kVanillaSignature;
  for (const std::string& authorization : {
           std::string("AWS4-HMAC-SHA256"),
           std::string("AWS4-HMAC-SHA256 "),
           std::string("AWS4-HMAC-SHA256Credential=x"),
           std::string("Bearer abc"),
           std::string("AWS AKIDEXAMPLE:c2lnbmF0dXJl"),  // SigV2
           "AWS4-HMAC-SHA1 " + cred + ", SignedHeaders=host;x-amz-date, " + sig,
           "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host;x-amz-date",
           "AWS4-HMAC-SHA256 " + cred + ", " + sig,
           "AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date, " + sig,
           "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host;x-amz-date, Signature=",
           "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service, "
           "SignedHeaders=host;x-amz-date, " +
               sig,
           "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_reques, "
           "SignedHeaders=host;x-amz-date, " +
               sig,
           "AWS4-HMAC-SHA256 Credential=/20150830/us-east-1/service/aws4_request, "
           "SignedHeaders=host;x-amz-date, " +
               sig,
       }) {
    SCOPED_TRACE(authorization);
    ExpectRefused(CheckAuthorization(authorization), "IncompleteSignatureException");
  }
}

TEST_F(VerifyTest, AuthorizationNeedsAWellFormedXAmzDate) {
  http::HttpRequest request = SuiteVectorNamed("get-vanilla").Request();
  test_util::RemoveHeader(request, "x-amz-date");
  ExpectRefused(Check(request), "IncompleteSignatureException");

  request = SuiteVectorNamed("get-vanilla").Request();
  test_util::SetHeader(request, "x-amz-date", "2015-08-30T12:36:00Z");
  ExpectRefused(Check(request), "IncompleteSignatureException");
}

TEST_F(VerifyTest, HostMustBeSigned) {
  ExpectRefused(CheckAuthorization(std::string("AWS4-HMAC-SHA256 Credential=") + kScope +
                                   ", SignedHeaders=x-amz-date, Signature=" + kVanillaSignature),
                "InvalidSignatureException");
}

TEST_F(VerifyTest, MalformedQueryIsRejected) {
  http::HttpRequest request = SuiteVectorNamed("get-vanilla").Request();
  request.query = "a=%zz";
  ExpectRefused(Check(request), "IncompleteSignatureException");
}

TEST_F(VerifyTest, HeaderAndQueryAuthTogetherAreRejected) {
  http::HttpRequest request = SuiteVectorNamed("get-vanilla").Request();
  request.query = "X-Amz-Algorithm=AWS4-HMAC-SHA256";
  ExpectRefused(Check(request), "InvalidSignatureException");
}

TEST_F(VerifyTest, ClockSkewUpToFifteenMinutesEitherWayIsAccepted) {
  http::HttpRequest request = SuiteVectorNamed("get-vanilla").Request();
  for (int64_t offset : {int64_t{0}, 15 * kMinuteMs, -15 * kMinuteMs, 14 * kMinuteMs}) {
    clock_.Set(kVectorDateMs + offset);
    EXPECT_TRUE(Check(request).ok()) << "clock offset " << offset;
  }
}

TEST_F(VerifyTest, SignatureOlderThanTheSkewHasExpired) {
  clock_.Set(kVectorDateMs + 15 * kMinuteMs + 1);  // the request is 15 min 1 ms old
  Status status = Check(SuiteVectorNamed("get-vanilla").Request());
  ExpectRefused(status, "InvalidSignatureException");
  EXPECT_NE(status.message().find("Signature expired"), std::string::npos) << status.message();
}

TEST_F(VerifyTest, SignatureFromTheFutureIsNotYetCurrent) {
  clock_.Set(kVectorDateMs - 15 * kMinuteMs - 1);  // the request is dated 15 min 1 ms ahead
  Status status = Check(SuiteVectorNamed("get-vanilla").Request());
  ExpectRefused(status, "InvalidSignatureException");
  EXPECT_NE(status.message().find("not yet current"), std::string::npos) << status.message();
}

TEST_F(VerifyTest, SkewLimitIsAnOption) {
  options_.max_skew_ms = kMinuteMs;
  clock_.Set(kVectorDateMs + 2 * kMinuteMs);
  ExpectRefused(Check(SuiteVectorNamed("get-vanilla").Request()), "InvalidSignatureException");
}

TEST_F(VerifyTest, ScopeDateMustMatchTheRequestDate) {
  Status status = CheckAuthorization(
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150831/us-east-1/service/aws4_request, "
      "SignedHeaders=host;x-amz-date, Signature=" +
      std::string(kVanillaSignature));
  ExpectRefused(status, "InvalidSignatureException");
  EXPECT_NE(status.message().find("Date in Credential scope"), std::string::npos);
}

TEST_F(VerifyTest, RegionMustMatchWhenConfigured) {
  http::HttpRequest request = SuiteVectorNamed("get-vanilla").Request();
  options_.region = "eu-west-1";
  ExpectRefused(Check(request), "InvalidSignatureException");
  options_.region = "";
  EXPECT_TRUE(Check(request).ok());
}

TEST_F(VerifyTest, AuthOffAcceptsAnyWellFormedCredential) {
  options_.check_signature = false;
  FakeCredentials nobody;
  StatusOr<Principal> principal = Verify(
      test_util::MakeRequest("GET", "/",
                             {{"Host", "localhost"},
                              {"X-Amz-Date", test_util::kAmzDate},
                              {"Authorization",
                               "AWS4-HMAC-SHA256 Credential=ANYKEY/20150830/us-east-1/lambda/"
                               "aws4_request, SignedHeaders=host;x-amz-date, Signature=00"}}),
      nobody, clock_, options_);
  ASSERT_TRUE(principal.ok()) << principal.status().ToString();
  EXPECT_EQ(principal->access_key_id, "ANYKEY");
  EXPECT_EQ(principal->arn, "arn:aws:iam::000000000000:root");
}

TEST_F(VerifyTest, AuthOffStillWantsAWellFormedRequest) {
  options_.check_signature = false;
  ExpectRefused(CheckAuthorization(std::string("AWS4-HMAC-SHA256 Credential=") + kScope +
                                   ", SignedHeaders=host;x-amz-date"),
                "IncompleteSignatureException");
  http::HttpRequest request = SuiteVectorNamed("get-vanilla").Request();
  test_util::RemoveHeader(request, "authorization");
  ExpectRefused(Check(request), "MissingAuthenticationTokenException");
}

TEST(PeekScopeTest, ReadsTheClaimedScopeWithoutVerifying) {
  std::optional<Scope> scope = PeekScope(SuiteVectorNamed("iam-list-users-doc-example").Request());
  ASSERT_TRUE(scope.has_value());
  EXPECT_EQ(scope->access_key_id, "AKIDEXAMPLE");
  EXPECT_EQ(scope->date, "20150830");
  EXPECT_EQ(scope->region, "us-east-1");
  EXPECT_EQ(scope->service, "iam");

  scope = PeekScope(test_util::MakeRequest(
      "GET",
      "/f?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=KEY%2F20240101%2Feu-west-1%2Fs3%2F"
      "aws4_request&X-Amz-Signature=00",
      {}));
  ASSERT_TRUE(scope.has_value());
  EXPECT_EQ(scope->access_key_id, "KEY");
  EXPECT_EQ(scope->region, "eu-west-1");
  EXPECT_EQ(scope->service, "s3");
}

TEST(PeekScopeTest, NoCredentialNoScope) {
  EXPECT_FALSE(PeekScope(test_util::MakeRequest("GET", "/?a=b", {{"Host", "x"}})).has_value());
  EXPECT_FALSE(
      PeekScope(test_util::MakeRequest("GET", "/", {{"Authorization", "Bearer x"}})).has_value());
  EXPECT_FALSE(PeekScope(test_util::MakeRequest(
                             "GET", "/", {{"Authorization", "AWS4-HMAC-SHA256 Credential=a/b/c"}}))
                   .has_value());
}

}  // namespace
}  // namespace lamina::auth
