// Which bucket and key an S3 request names: virtual-host-style Host headers, path-style paths,
// percent-decoding, and the sub-resource query parameters.
#include "services/s3/s3_request.h"

#include <gtest/gtest.h>

#include <string>

#include "common/status.h"
#include "http/message.h"

namespace lamina::services::s3 {
namespace {

http::HttpRequest Request(const std::string& host, const std::string& path,
                          const std::string& query = "") {
  http::HttpRequest r;
  r.method = "GET";
  r.path = path;
  r.query = query;
  r.target = query.empty() ? path : path + "?" + query;
  if (!host.empty()) r.AddHeader("Host", host);
  return r;
}

TEST(VirtualHostBucket, LocalhostNamesCarryTheBucket) {
  EXPECT_EQ(VirtualHostBucket("bucket.localhost:4566"), "bucket");
  EXPECT_EQ(VirtualHostBucket("bucket.localhost"), "bucket");
  EXPECT_EQ(VirtualHostBucket("bucket.s3.localhost"), "bucket");
  EXPECT_EQ(VirtualHostBucket("bucket.s3.localhost:4566"), "bucket");
  EXPECT_EQ(VirtualHostBucket("my.dotted.bucket.localhost"), "my.dotted.bucket");
  EXPECT_EQ(VirtualHostBucket("my.dotted.bucket.localhost:4566"), "my.dotted.bucket");
}

TEST(VirtualHostBucket, AmazonawsNamesCarryTheBucket) {
  EXPECT_EQ(VirtualHostBucket("bucket.s3.amazonaws.com"), "bucket");
  EXPECT_EQ(VirtualHostBucket("bucket.s3.us-west-2.amazonaws.com"), "bucket");
  EXPECT_EQ(VirtualHostBucket("bucket.s3-us-west-2.amazonaws.com"), "bucket");
  EXPECT_EQ(VirtualHostBucket("bucket.s3.us-west-2.amazonaws.com:443"), "bucket");
  EXPECT_EQ(VirtualHostBucket("my.dotted.bucket.s3.us-east-1.amazonaws.com"), "my.dotted.bucket");
}

TEST(VirtualHostBucket, PathStyleHostsNameNoBucket) {
  EXPECT_EQ(VirtualHostBucket("localhost:4566"), "");
  EXPECT_EQ(VirtualHostBucket("localhost"), "");
  EXPECT_EQ(VirtualHostBucket("s3.localhost"), "");
  EXPECT_EQ(VirtualHostBucket("s3.localhost:4566"), "");
  EXPECT_EQ(VirtualHostBucket("127.0.0.1:4566"), "");
  EXPECT_EQ(VirtualHostBucket("127.0.0.1"), "");
  EXPECT_EQ(VirtualHostBucket("s3.amazonaws.com"), "");
  EXPECT_EQ(VirtualHostBucket("s3.us-west-2.amazonaws.com"), "");
  EXPECT_EQ(VirtualHostBucket("[::1]:4566"), "");
  EXPECT_EQ(VirtualHostBucket("[::1]"), "");
  EXPECT_EQ(VirtualHostBucket(""), "");
}

TEST(ParseS3Request, PathStyleDecodesBucketAndKey) {
  auto parsed = ParseS3Request(Request("localhost:4566", "/b/a%20b/c"));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->bucket, "b");
  EXPECT_EQ(parsed->key, "a b/c");
  EXPECT_TRUE(parsed->query.empty());
}

TEST(ParseS3Request, PathStyleKeepsAPlusInTheKey) {
  auto parsed = ParseS3Request(Request("localhost:4566", "/b/a+b"));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->key, "a+b");
}

TEST(ParseS3Request, PathStyleBucketAlone) {
  for (const char* path : {"/b", "/b/"}) {
    auto parsed = ParseS3Request(Request("localhost:4566", path));
    ASSERT_TRUE(parsed.ok()) << path << ": " << parsed.status().ToString();
    EXPECT_EQ(parsed->bucket, "b") << path;
    EXPECT_EQ(parsed->key, "") << path;
  }
}

TEST(ParseS3Request, RootNamesTheService) {
  auto parsed = ParseS3Request(Request("localhost:4566", "/"));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->bucket, "");
  EXPECT_EQ(parsed->key, "");
}

TEST(ParseS3Request, WithoutAHostHeaderThePathNamesTheBucket) {
  auto parsed = ParseS3Request(Request("", "/b/k"));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->bucket, "b");
  EXPECT_EQ(parsed->key, "k");
}

TEST(ParseS3Request, VirtualHostTakesTheBucketFromTheHost) {
  auto parsed = ParseS3Request(Request("bucket.localhost:4566", "/k"));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->bucket, "bucket");
  EXPECT_EQ(parsed->key, "k");

  parsed = ParseS3Request(Request("bucket.s3.us-west-2.amazonaws.com", "/dir/a%2Bb%20c"));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->bucket, "bucket");
  EXPECT_EQ(parsed->key, "dir/a+b c");

  parsed = ParseS3Request(Request("bucket.localhost:4566", "/"));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->bucket, "bucket");
  EXPECT_EQ(parsed->key, "");
}

TEST(ParseS3Request, QueryIsDecodedInOrder) {
  auto parsed = ParseS3Request(
      Request("localhost:4566", "/b", "uploads&prefix=a%2Fb%20c&max-keys=10&empty="));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->query.size(), 4u);
  EXPECT_EQ(parsed->query[0].first, "uploads");
  EXPECT_EQ(parsed->query[0].second, "");
  EXPECT_EQ(parsed->query[1].first, "prefix");
  EXPECT_EQ(parsed->query[3].first, "empty");

  EXPECT_TRUE(parsed->Has("uploads"));
  EXPECT_TRUE(parsed->Has("prefix"));
  EXPECT_TRUE(parsed->Has("empty"));
  EXPECT_FALSE(parsed->Has("tagging"));
  EXPECT_FALSE(parsed->Has("upload"));

  ASSERT_NE(parsed->Query("prefix"), nullptr);
  EXPECT_EQ(*parsed->Query("prefix"), "a/b c");
  ASSERT_NE(parsed->Query("max-keys"), nullptr);
  EXPECT_EQ(*parsed->Query("max-keys"), "10");
  ASSERT_NE(parsed->Query("uploads"), nullptr);
  EXPECT_EQ(*parsed->Query("uploads"), "");
  EXPECT_EQ(parsed->Query("missing"), nullptr);
}

TEST(ParseS3Request, MalformedEscapesAreRefused) {
  for (const char* path : {"/b/%zz", "/b/key%", "/b/key%4"}) {
    auto parsed = ParseS3Request(Request("localhost:4566", path));
    ASSERT_FALSE(parsed.ok()) << path;
    EXPECT_EQ(parsed.status().code(), Code::kInvalidArgument) << path;
  }
  auto parsed = ParseS3Request(Request("localhost:4566", "/b", "prefix=%G1"));
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace lamina::services::s3
