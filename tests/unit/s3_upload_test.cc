// The body of an S3 upload on its way in: kept in memory while small, spilled to a file beyond
// kInlineMax, checked against Content-Length and Content-MD5, and decoded from aws-chunked.
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "auth/aws_chunked.h"
#include "auth/sigv4.h"
#include "common/crypto.h"
#include "common/status.h"
#include "http/message.h"
#include "scoped_temp_dir.h"
#include "services/s3/object_files.h"
#include "services/s3/upload.h"

namespace lamina::services::s3 {
namespace {

using test_util::ScopedTempDir;

http::HttpRequest Head(std::initializer_list<std::pair<const char*, std::string>> headers) {
  http::HttpRequest r;
  r.method = "PUT";
  r.path = "/bucket/key";
  r.target = "/bucket/key";
  r.AddHeader("Host", "localhost:4566");
  for (const auto& [name, value] : headers) r.AddHeader(name, value);
  return r;
}

std::string Md5Base64(std::string_view body) { return Base64Encode(Md5(body)); }

class UploadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Status s = files_.Init();
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  // The whole body of `upload`, placed in a file, read back.
  std::string PlacedBody(Upload& upload) {
    auto segment = upload.Place();
    EXPECT_TRUE(segment.ok()) << segment.status().ToString();
    if (!segment.ok()) return "";
    EXPECT_EQ(segment->size, upload.size());
    std::string out;
    Status s = files_.ReadInto({*segment}, 0, segment->size, out);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return out;
  }

  ScopedTempDir dir_;
  ObjectFiles files_{dir_.path()};
};

void ExpectError(const Status& s, const char* aws_type) {
  ASSERT_FALSE(s.ok()) << "expected " << aws_type;
  EXPECT_EQ(s.aws_type(), aws_type) << s.ToString();
}

TEST_F(UploadTest, ASmallBodyStaysInMemory) {
  Upload upload(&files_, Head({{"Content-Length", "5"}}), auth::ChunkSigning{},
                /*inline_allowed=*/true);
  Status s = upload.Take("hello");
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(upload.in_memory());
  EXPECT_EQ(upload.body(), "hello");
  EXPECT_EQ(upload.size(), 5u);
  EXPECT_EQ(upload.md5_hex(), "5d41402abc4b2a76b9719d911017c592");
}

TEST_F(UploadTest, AnEmptyBodyStaysInMemory) {
  Upload upload(&files_, Head({{"Content-Length", "0"}}), auth::ChunkSigning{}, true);
  Status s = upload.Take("");
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(upload.in_memory());
  EXPECT_EQ(upload.size(), 0u);
  EXPECT_EQ(upload.md5_hex(), "d41d8cd98f00b204e9800998ecf8427e");
}

TEST_F(UploadTest, ABodyOfExactlyTheInlineLimitStaysInMemory) {
  std::string body(kInlineMax, 'x');
  Upload upload(&files_, Head({{"Content-Length", std::to_string(body.size())}}),
                auth::ChunkSigning{}, true);
  Status s = upload.Take(body);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(upload.in_memory());
  EXPECT_EQ(upload.body(), body);
}

TEST_F(UploadTest, ALargerDeclaredBodyGoesToAFile) {
  std::string body(kInlineMax + 1, 'y');
  body[0] = 'A';
  body[body.size() - 1] = 'Z';
  Upload upload(&files_, Head({{"Content-Length", std::to_string(body.size())}}),
                auth::ChunkSigning{}, true);
  Status s = upload.Take(body);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_FALSE(upload.in_memory());
  EXPECT_EQ(upload.size(), body.size());
  EXPECT_EQ(upload.md5_hex(), HexEncode(Md5(body)));
  EXPECT_EQ(PlacedBody(upload), body);
}

TEST_F(UploadTest, ABodyOfUnknownLengthSpillsToAFileAsItGrows) {
  // No Content-Length (a chunked transfer): written piece by piece, as the server streams it.
  std::string body;
  for (int i = 0; body.size() <= 3 * kInlineMax; ++i) body += std::to_string(i) + ",";
  Upload upload(&files_, Head({}), auth::ChunkSigning{}, true);
  ASSERT_TRUE(upload.Start().ok());
  EXPECT_TRUE(upload.in_memory());
  for (size_t at = 0; at < body.size(); at += 10000) {
    Status s = upload.Write(std::string_view(body).substr(at, 10000));
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  Status s = upload.Finish();
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_FALSE(upload.in_memory());
  EXPECT_EQ(upload.size(), body.size());
  EXPECT_EQ(upload.md5_hex(), HexEncode(Md5(body)));
  EXPECT_EQ(PlacedBody(upload), body);
}

TEST_F(UploadTest, APartAlwaysGoesToAFile) {
  Upload upload(&files_, Head({{"Content-Length", "5"}}), auth::ChunkSigning{},
                /*inline_allowed=*/false);
  Status s = upload.Take("hello");
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_FALSE(upload.in_memory());
  EXPECT_EQ(upload.md5_hex(), HexEncode(Md5("hello")));
  EXPECT_EQ(PlacedBody(upload), "hello");
}

TEST_F(UploadTest, AMatchingContentMd5IsAccepted) {
  Upload upload(&files_, Head({{"Content-Length", "5"}, {"Content-MD5", Md5Base64("hello")}}),
                auth::ChunkSigning{}, true);
  Status s = upload.Take("hello");
  EXPECT_TRUE(s.ok()) << s.ToString();
}

TEST_F(UploadTest, AContentMd5MismatchIsBadDigest) {
  Upload upload(&files_, Head({{"Content-Length", "5"}, {"Content-MD5", Md5Base64("world")}}),
                auth::ChunkSigning{}, true);
  ExpectError(upload.Take("hello"), "BadDigest");
}

TEST_F(UploadTest, AMalformedContentMd5IsInvalidDigest) {
  for (const char* md5 : {"not base64!", "aGVsbG8=", "XUFAKrxLKna5cZ2REBfFkg"}) {
    Upload upload(&files_, Head({{"Content-Length", "5"}, {"Content-MD5", md5}}),
                  auth::ChunkSigning{}, true);
    Status s = upload.Start();  // refused before any of the body is read
    ExpectError(s, "InvalidDigest");
  }
}

TEST_F(UploadTest, ADeclaredLengthOverTheLimitIsRefusedAtStart) {
  Upload upload(&files_, Head({{"Content-Length", std::to_string(kMaxUploadSize + 1)}}),
                auth::ChunkSigning{}, true);
  Status s = upload.Start();
  ExpectError(s, "EntityTooLarge");
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
}

TEST_F(UploadTest, ADeclaredLengthAtTheLimitStarts) {
  Upload upload(&files_, Head({{"Content-Length", std::to_string(kMaxUploadSize)}}),
                auth::ChunkSigning{}, true);
  Status s = upload.Start();
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_FALSE(upload.in_memory());  // too large to keep in memory: straight to a file
}

TEST_F(UploadTest, ABodyOfAnotherLengthThanDeclaredIsIncomplete) {
  Upload shorter(&files_, Head({{"Content-Length", "6"}}), auth::ChunkSigning{}, true);
  ExpectError(shorter.Take("hello"), "IncompleteBody");

  Upload longer(&files_, Head({{"Content-Length", "4"}}), auth::ChunkSigning{}, true);
  ExpectError(longer.Take("hello"), "IncompleteBody");
}

TEST_F(UploadTest, DecodesAnUnsignedAwsChunkedBodyWithATrailer) {
  std::string encoded = "5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n";
  Upload upload(&files_,
                Head({{"Content-Encoding", "aws-chunked"},
                      {"Content-Length", std::to_string(encoded.size())},
                      {"x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"},
                      {"x-amz-decoded-content-length", "5"},
                      {"x-amz-trailer", "x-amz-checksum-crc32"}}),
                auth::ChunkSigning{}, true);
  Status s = upload.Take(encoded);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(upload.in_memory());
  EXPECT_EQ(upload.body(), "hello");
  EXPECT_EQ(upload.size(), 5u);
  EXPECT_EQ(upload.md5_hex(), HexEncode(Md5("hello")));
}

TEST_F(UploadTest, AnAwsChunkedBodyIsCheckedAgainstItsDecodedLength) {
  std::string encoded = "5\r\nhello\r\n0\r\n\r\n";
  Upload upload(&files_,
                Head({{"Content-Length", std::to_string(encoded.size())},
                      {"x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"},
                      {"x-amz-decoded-content-length", "6"}}),
                auth::ChunkSigning{}, true);
  ExpectError(upload.Take(encoded), "IncompleteBody");
}

TEST_F(UploadTest, AMalformedAwsChunkedBodyIsIncomplete) {
  std::string encoded = "5\r\nhello\r\n0\r\n";  // no end
  Upload upload(&files_,
                Head({{"Content-Length", std::to_string(encoded.size())},
                      {"x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"},
                      {"x-amz-decoded-content-length", "5"}}),
                auth::ChunkSigning{}, true);
  ExpectError(upload.Take(encoded), "IncompleteBody");
}

// AWS's signed chunked-upload example (auth/aws_chunked_test.cc): 66560 bytes of 'a'.
std::string SignedExampleBody() {
  return "10000;chunk-signature="
         "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n" +
         std::string(65536, 'a') +
         "\r\n400;chunk-signature="
         "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n" +
         std::string(1024, 'a') +
         "\r\n0;chunk-signature="
         "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n";
}

auth::ChunkSigning ExampleSigning() {
  return auth::ChunkSigning{
      auth::SigningKey("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "20130524", "us-east-1", "s3"),
      "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9", "20130524T000000Z",
      "20130524/us-east-1/s3/aws4_request"};
}

http::HttpRequest SignedExampleHead() {
  return Head({{"Content-Encoding", "aws-chunked"},
               {"Content-Length", "66824"},
               {"x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"},
               {"x-amz-decoded-content-length", "66560"}});
}

TEST_F(UploadTest, DecodesAndVerifiesASignedAwsChunkedBodyIntoAFile) {
  Upload upload(&files_, SignedExampleHead(), ExampleSigning(), true);
  ASSERT_TRUE(upload.Start().ok());
  std::string encoded = SignedExampleBody();
  for (size_t at = 0; at < encoded.size(); at += 8192) {
    Status s = upload.Write(std::string_view(encoded).substr(at, 8192));
    ASSERT_TRUE(s.ok()) << "at " << at << ": " << s.ToString();
  }
  Status s = upload.Finish();
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_FALSE(upload.in_memory());
  EXPECT_EQ(upload.size(), 66560u);
  EXPECT_EQ(upload.md5_hex(), HexEncode(Md5(std::string(66560, 'a'))));
  EXPECT_EQ(PlacedBody(upload), std::string(66560, 'a'));
}

TEST_F(UploadTest, ATamperedSignedAwsChunkedBodyDoesNotMatch) {
  Upload upload(&files_, SignedExampleHead(), ExampleSigning(), true);
  std::string encoded = SignedExampleBody();
  encoded[1000] = 'b';
  Status s = upload.Take(encoded);
  ExpectError(s, "SignatureDoesNotMatch");
  EXPECT_EQ(s.code(), Code::kUnauthenticated);
}

}  // namespace
}  // namespace lamina::services::s3
