// auth::Verify against AWS's published Signature Version 4 test suite.
#include <gtest/gtest.h>

#include <string>

#include "auth/sigv4.h"
#include "common/clock.h"
#include "sigv4_test_util.h"

namespace lamina::auth {
namespace {

using test_util::AwsSuiteVectors;
using test_util::ExampleCredential;
using test_util::FakeCredentials;
using test_util::kVectorDateMs;
using test_util::SuiteVector;

class AwsSuiteTest : public ::testing::TestWithParam<SuiteVector> {
 protected:
  FakeCredentials credentials_{ExampleCredential()};
  FakeClock clock_{kVectorDateMs};
  VerifyOptions options_{.region = "us-east-1"};
};

TEST_P(AwsSuiteTest, PublishedSignatureVerifies) {
  const SuiteVector& v = GetParam();
  StatusOr<Principal> principal = Verify(v.Request(), credentials_, clock_, options_);
  ASSERT_TRUE(principal.ok()) << principal.status().ToString();
  EXPECT_EQ(principal->access_key_id, "AKIDEXAMPLE");
  EXPECT_EQ(principal->arn, "arn:aws:iam::123456789012:user/example");
  EXPECT_EQ(principal->user_id, "AIDAEXAMPLEUSERID");
}

TEST_P(AwsSuiteTest, OneFlippedSignatureDigitIsRejected) {
  SuiteVector v = GetParam();
  v.signature.back() = v.signature.back() == '0' ? '1' : '0';
  StatusOr<Principal> principal = Verify(v.Request(), credentials_, clock_, options_);
  ASSERT_FALSE(principal.ok());
  EXPECT_EQ(principal.status().code(), Code::kUnauthenticated);
  EXPECT_EQ(principal.status().aws_type(), "InvalidSignatureException");
}

TEST_P(AwsSuiteTest, AnotherSecretIsRejected) {
  FakeCredentials other(ExampleCredential("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEZ"));
  StatusOr<Principal> principal = Verify(GetParam().Request(), other, clock_, options_);
  ASSERT_FALSE(principal.ok());
  EXPECT_EQ(principal.status().aws_type(), "InvalidSignatureException");
}

INSTANTIATE_TEST_SUITE_P(AwsSigV4TestSuite, AwsSuiteTest, ::testing::ValuesIn(AwsSuiteVectors()),
                         [](const ::testing::TestParamInfo<SuiteVector>& info) {
                           std::string name = info.param.name;
                           for (char& c : name) {
                             if (c == '-') c = '_';
                           }
                           return name;
                         });

// The same request may reach the server with its UTF-8 percent-encoded (as clients send it) or
// raw (as the suite writes it); the canonical form is the same.
TEST(AwsSuiteEncodingTest, EncodedAndRawUtf8QueryVerifyAlike) {
  SuiteVector v = test_util::SuiteVectorNamed("get-vanilla-utf8-query");
  v.target = "/?%E1%88%B4=bar";
  FakeCredentials credentials(ExampleCredential());
  FakeClock clock(kVectorDateMs);
  StatusOr<Principal> principal = Verify(v.Request(), credentials, clock, {});
  EXPECT_TRUE(principal.ok()) << principal.status().ToString();
}

TEST(AwsSuiteEncodingTest, EncodedSpaceInPathIsEncodedAgain) {
  // For every service but S3 the path is encoded a second time, so "%20" on the wire signs as
  // "%2520" and is not the suite's raw-space request.
  SuiteVector v = test_util::SuiteVectorNamed("get-space");
  v.target = "/example%20space/";
  FakeCredentials credentials(ExampleCredential());
  FakeClock clock(kVectorDateMs);
  StatusOr<Principal> principal = Verify(v.Request(), credentials, clock, {});
  ASSERT_FALSE(principal.ok());
  EXPECT_EQ(principal.status().aws_type(), "InvalidSignatureException");
}

}  // namespace
}  // namespace lamina::auth
