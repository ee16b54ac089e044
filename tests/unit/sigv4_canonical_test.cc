// The pieces of the canonical request: URI, query, header values, signing key.
#include <gtest/gtest.h>

#include <string>

#include "auth/sigv4.h"
#include "common/crypto.h"

namespace lamina::auth {
namespace {

TEST(CanonicalUriTest, NonS3PathsAreEncodedASecondTime) {
  EXPECT_EQ(CanonicalUri("/", false), "/");
  EXPECT_EQ(CanonicalUri("", false), "/");
  EXPECT_EQ(CanonicalUri("/2015-03-31/functions/fn", false), "/2015-03-31/functions/fn");
  EXPECT_EQ(CanonicalUri("/a%20b", false), "/a%2520b");
  EXPECT_EQ(CanonicalUri("/a%2Fb", false), "/a%252Fb") << "an encoded slash stays in its segment";
  EXPECT_EQ(CanonicalUri("/%E1%88%B4", false), "/%25E1%2588%25B4");
  EXPECT_EQ(CanonicalUri("/a b", false), "/a%20b") << "a raw space is encoded once";
  EXPECT_EQ(CanonicalUri("/\xE1\x88\xB4", false), "/%E1%88%B4");
  EXPECT_EQ(CanonicalUri("/-._~AZaz09", false), "/-._~AZaz09");
  EXPECT_EQ(CanonicalUri("/a+b:c@d", false), "/a%2Bb%3Ac%40d");
}

TEST(CanonicalUriTest, NonS3PathsLoseDotSegmentsAndEmptySegments) {
  EXPECT_EQ(CanonicalUri("/a/./b/../c", false), "/a/c");
  EXPECT_EQ(CanonicalUri("/example/..", false), "/");
  EXPECT_EQ(CanonicalUri("/example1/example2/../..", false), "/");
  EXPECT_EQ(CanonicalUri("/../../a", false), "/a") << "'..' cannot climb above the root";
  EXPECT_EQ(CanonicalUri("//", false), "/");
  EXPECT_EQ(CanonicalUri("/./", false), "/");
  EXPECT_EQ(CanonicalUri("/./example", false), "/example");
  EXPECT_EQ(CanonicalUri("//example//", false), "/example/");
  EXPECT_EQ(CanonicalUri("/a//b///c", false), "/a/b/c");
  EXPECT_EQ(CanonicalUri("/a/b/", false), "/a/b/") << "a trailing slash is kept";
  EXPECT_EQ(CanonicalUri("/a/..b/.c", false), "/a/..b/.c") << "dots inside names are names";
  EXPECT_EQ(CanonicalUri("/a/%2E%2E/b", false), "/a/%252E%252E/b")
      << "an encoded dot segment is a name, as botocore signs it";
}

TEST(CanonicalUriTest, S3PathsAreUsedAsSent) {
  EXPECT_EQ(CanonicalUri("/bucket/a%20b", true), "/bucket/a%20b");
  EXPECT_EQ(CanonicalUri("/bucket/a%2Fb", true), "/bucket/a%2Fb");
  EXPECT_EQ(CanonicalUri("/bucket//./x/../y/", true), "/bucket//./x/../y/");
  EXPECT_EQ(CanonicalUri("", true), "/");
}

std::string Canonical(const std::string& raw, const std::string& skip = "") {
  std::string out = "unchanged";
  EXPECT_TRUE(CanonicalQuery(raw, skip, out)) << raw;
  return out;
}

TEST(CanonicalQueryTest, SortsByNameThenValue) {
  EXPECT_EQ(Canonical(""), "");
  EXPECT_EQ(Canonical("Param2=value2&Param1=value1"), "Param1=value1&Param2=value2");
  EXPECT_EQ(Canonical("Param1=value2&Param1=Value1"), "Param1=Value1&Param1=value2");
  EXPECT_EQ(Canonical("b=1&B=2&a=3&_=4&~=5&-=6"), "-=6&B=2&_=4&a=3&b=1&~=5") << "byte order";
  EXPECT_EQ(Canonical("a=10&a=9&a=1"), "a=1&a=10&a=9") << "values sort as bytes, not numbers";
  EXPECT_EQ(Canonical("x=a.b&x=a%2Fb"), "x=a%2Fb&x=a.b") << "sorted after encoding";
  EXPECT_EQ(Canonical("a=1&a=1"), "a=1&a=1") << "duplicates are kept";
}

TEST(CanonicalQueryTest, ReEncodesStrictly) {
  EXPECT_EQ(Canonical("a=x y"), "a=x%20y");
  EXPECT_EQ(Canonical("a=x%20y"), "a=x%20y");
  EXPECT_EQ(Canonical("a=%7e%2d%2e%5f"), "a=~-._") << "unreserved characters are decoded";
  EXPECT_EQ(Canonical("a=%2f%3a"), "a=%2F%3A") << "hex is uppercase";
  EXPECT_EQ(Canonical("q=a+b"), "q=a%2Bb") << "'+' is a plus, not a space";
  EXPECT_EQ(Canonical("a=1=2"), "a=1%3D2");
  EXPECT_EQ(Canonical("\xE1\x88\xB4=bar"), "%E1%88%B4=bar");
  EXPECT_EQ(Canonical("a%20b=c"), "a%20b=c");
}

TEST(CanonicalQueryTest, MissingValuesAndEmptyParts) {
  EXPECT_EQ(Canonical("b&a=1"), "a=1&b=");
  EXPECT_EQ(Canonical("a=&b"), "a=&b=");
  EXPECT_EQ(Canonical("&&a=1&&"), "a=1");
  EXPECT_EQ(Canonical("=v&a=1"), "=v&a=1") << "a nameless parameter is still signed";
}

TEST(CanonicalQueryTest, LeavesOutTheSkipKey) {
  EXPECT_EQ(Canonical("X-Amz-Signature=abc&a=1", "X-Amz-Signature"), "a=1");
  EXPECT_EQ(Canonical("a=1&X%2DAmz-Signature=abc", "X-Amz-Signature"), "a=1")
      << "compared after decoding";
  EXPECT_EQ(Canonical("x-amz-signature=abc", "X-Amz-Signature"), "x-amz-signature=abc")
      << "names are case-sensitive";
  EXPECT_EQ(Canonical("X-Amz-Signature=abc", ""), "X-Amz-Signature=abc");
}

TEST(CanonicalQueryTest, MalformedEscapeFails) {
  std::string out;
  EXPECT_FALSE(CanonicalQuery("a=%zz", "", out));
  EXPECT_FALSE(CanonicalQuery("a=1&b=%4", "", out));
  EXPECT_FALSE(CanonicalQuery("%=1", "", out));
}

TEST(CanonicalHeaderValueTest, TrimsAndCollapsesSpaces) {
  EXPECT_EQ(CanonicalHeaderValue(""), "");
  EXPECT_EQ(CanonicalHeaderValue("   "), "");
  EXPECT_EQ(CanonicalHeaderValue("value"), "value");
  EXPECT_EQ(CanonicalHeaderValue(" value1"), "value1");
  EXPECT_EQ(CanonicalHeaderValue("\"a   b   c\""), "\"a b c\"") << "quotes do not protect spaces";
  EXPECT_EQ(CanonicalHeaderValue("\t a \t\t b \t"), "a b");
  EXPECT_EQ(CanonicalHeaderValue("VALUE1"), "VALUE1") << "case is kept";
  EXPECT_EQ(CanonicalHeaderValue("a,  b"), "a, b");
}

TEST(SigningKeyTest, MatchesAwsDocumentationExample) {
  // "Examples of how to derive a signing key for Signature Version 4", AWS General Reference.
  EXPECT_EQ(HexEncode(SigningKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215",
                                 "us-east-1", "iam")),
            "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
}

TEST(SigningKeyTest, EveryScopePartMatters) {
  std::string key = SigningKey("secret", "20150830", "us-east-1", "service");
  EXPECT_EQ(key.size(), 32u);
  EXPECT_NE(key, SigningKey("secreT", "20150830", "us-east-1", "service"));
  EXPECT_NE(key, SigningKey("secret", "20150831", "us-east-1", "service"));
  EXPECT_NE(key, SigningKey("secret", "20150830", "us-east-2", "service"));
  EXPECT_NE(key, SigningKey("secret", "20150830", "us-east-1", "lambda"));
}

}  // namespace
}  // namespace lamina::auth
