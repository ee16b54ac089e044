// The aws-chunked content encoding: modes, framing, trailers, and chunk signatures checked
// against AWS's published examples ("Signature Calculations for the Authorization Header:
// Transferring Payload in Multiple Chunks" and "...: Including Trailing Headers").
#include "auth/aws_chunked.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/sigv4.h"
#include "common/status.h"
#include "http/message.h"

namespace lamina::auth {
namespace {

using Trailers = std::vector<std::pair<std::string, std::string>>;

constexpr ChunkedMode kUnsignedTrailer{.signed_chunks = false, .trailer = true};
constexpr ChunkedMode kSigned{.signed_chunks = true, .trailer = false};
constexpr ChunkedMode kSignedTrailer{.signed_chunks = true, .trailer = true};

std::optional<ChunkedMode> ModeFor(const char* content_sha256) {
  http::HttpRequest head;
  head.method = "PUT";
  head.path = "/b/k";
  head.target = "/b/k";
  if (content_sha256) head.AddHeader("x-amz-content-sha256", content_sha256);
  return ChunkedModeOf(head);
}

// Feeds `body` in pieces of `piece` bytes (all at once when 0), then finishes; the first error.
Status Decode(ChunkedDecoder& decoder, std::string_view body, std::string& out, size_t piece = 0) {
  ChunkedDecoder::Output collect = [&out](std::string_view data) {
    out.append(data);
    return Status::Ok();
  };
  if (piece == 0) piece = body.empty() ? 1 : body.size();
  for (size_t at = 0; at < body.size(); at += piece) {
    RETURN_IF_ERROR(decoder.Feed(body.substr(at, piece), collect));
  }
  return decoder.Finish();
}

Status DecodeUnsigned(std::string_view body, std::string& out, size_t piece = 0) {
  ChunkedDecoder decoder(kUnsignedTrailer, ChunkSigning{});
  return Decode(decoder, body, out, piece);
}

void ExpectIncompleteBody(std::string_view body, ChunkedMode mode = kUnsignedTrailer) {
  ChunkedDecoder decoder(mode, ChunkSigning{});
  std::string out;
  Status s = Decode(decoder, body, out);
  ASSERT_FALSE(s.ok()) << "accepted: " << testing::PrintToString(std::string(body));
  EXPECT_EQ(s.code(), Code::kInvalidArgument) << s.ToString();
  EXPECT_EQ(s.aws_type(), "IncompleteBody") << s.ToString();
}

void ExpectSignatureMismatch(const Status& s) {
  ASSERT_FALSE(s.ok()) << "expected SignatureDoesNotMatch";
  EXPECT_EQ(s.code(), Code::kUnauthenticated) << s.ToString();
  EXPECT_EQ(s.aws_type(), "SignatureDoesNotMatch") << s.ToString();
}

// --- ChunkedModeOf ---------------------------------------------------------------------------

TEST(ChunkedModeOf, ReadsTheStreamingPayloadHashes) {
  auto mode = ModeFor("STREAMING-AWS4-HMAC-SHA256-PAYLOAD");
  ASSERT_TRUE(mode.has_value());
  EXPECT_TRUE(mode->signed_chunks);
  EXPECT_FALSE(mode->trailer);

  mode = ModeFor("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER");
  ASSERT_TRUE(mode.has_value());
  EXPECT_TRUE(mode->signed_chunks);
  EXPECT_TRUE(mode->trailer);

  mode = ModeFor("STREAMING-UNSIGNED-PAYLOAD-TRAILER");
  ASSERT_TRUE(mode.has_value());
  EXPECT_FALSE(mode->signed_chunks);
  EXPECT_TRUE(mode->trailer);
}

TEST(ChunkedModeOf, OtherBodiesAreNotChunked) {
  EXPECT_FALSE(ModeFor("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
  EXPECT_FALSE(ModeFor("UNSIGNED-PAYLOAD"));
  EXPECT_FALSE(ModeFor(nullptr));
}

// --- framing ---------------------------------------------------------------------------------

constexpr char kUnsignedBody[] = "5\r\nhello\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n";

TEST(ChunkedDecoder, DecodesAnUnsignedBodyWithATrailer) {
  ChunkedDecoder decoder(kUnsignedTrailer, ChunkSigning{});
  std::string out;
  Status s = Decode(decoder, kUnsignedBody, out);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(out, "hello");
  EXPECT_EQ(decoder.trailers(), (Trailers{{"x-amz-checksum-crc32", "AAAAAA=="}}));
}

TEST(ChunkedDecoder, DecodesTheSameFedOneByteAtATime) {
  ChunkedDecoder decoder(kUnsignedTrailer, ChunkSigning{});
  std::string out;
  Status s = Decode(decoder, kUnsignedBody, out, /*piece=*/1);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(out, "hello");
  EXPECT_EQ(decoder.trailers(), (Trailers{{"x-amz-checksum-crc32", "AAAAAA=="}}));
}

TEST(ChunkedDecoder, DecodesSeveralChunksAndTrailers) {
  std::string body =
      "3\r\nabc\r\nA\r\n0123456789\r\n1\r\n!\r\n0\r\n"
      "X-Amz-Checksum-CRC32C: sOO8/Q== \r\nx-amz-meta-extra:v\r\n\r\n";
  for (size_t piece : {size_t{0}, size_t{1}, size_t{2}, size_t{7}}) {
    ChunkedDecoder decoder(kUnsignedTrailer, ChunkSigning{});
    std::string out;
    Status s = Decode(decoder, body, out, piece);
    ASSERT_TRUE(s.ok()) << "piece " << piece << ": " << s.ToString();
    EXPECT_EQ(out, "abc0123456789!") << "piece " << piece;
    // Names come back lowercase, values trimmed.
    EXPECT_EQ(decoder.trailers(),
              (Trailers{{"x-amz-checksum-crc32c", "sOO8/Q=="}, {"x-amz-meta-extra", "v"}}))
        << "piece " << piece;
  }
}

TEST(ChunkedDecoder, DecodesAnEmptyBody) {
  std::string out;
  Status s = DecodeUnsigned("0\r\n\r\n", out);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(out, "");
}

TEST(ChunkedDecoder, ReturnsTheOutputsError) {
  ChunkedDecoder decoder(kUnsignedTrailer, ChunkSigning{});
  Status s = decoder.Feed(kUnsignedBody, [](std::string_view) {
    return Status(Code::kInternal, "disk full", "InternalError");
  });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "disk full");
}

TEST(ChunkedDecoder, MalformedFramingIsAnIncompleteBody) {
  ExpectIncompleteBody("zz\r\nhello\r\n0\r\n\r\n");                  // size not hex
  ExpectIncompleteBody("\r\nhello\r\n0\r\n\r\n");                    // no size
  ExpectIncompleteBody("5\nhello\r\n0\r\n\r\n");                     // size line without CR
  ExpectIncompleteBody("5\r\nhello0\r\n\r\n");                       // no CRLF after the data
  ExpectIncompleteBody("3\r\nhello\r\n0\r\n\r\n");                   // more data than its size
  ExpectIncompleteBody("5\r\nhello\r\n0\r\n\r\nextra");              // bytes after the end
  ExpectIncompleteBody("5\r\nhello\r\n0\r\nno-colon-here\r\n\r\n");  // a bad trailer line
  ExpectIncompleteBody(std::string(5000, '1') + "\r\n");             // an endless size line
}

TEST(ChunkedDecoder, TruncatedBodiesFailAtFinish) {
  for (std::string_view body :
       {"", "5\r\nhel", "5\r\nhello", "5\r\nhello\r\n", "5\r\nhello\r\n0\r\n",
        "5\r\nhello\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n"}) {
    ChunkedDecoder decoder(kUnsignedTrailer, ChunkSigning{});
    std::string out;
    ChunkedDecoder::Output collect = [&out](std::string_view data) {
      out.append(data);
      return Status::Ok();
    };
    Status fed = decoder.Feed(body, collect);
    EXPECT_TRUE(fed.ok()) << testing::PrintToString(std::string(body)) << ": " << fed.ToString();
    Status finished = decoder.Finish();
    ASSERT_FALSE(finished.ok()) << testing::PrintToString(std::string(body));
    EXPECT_EQ(finished.code(), Code::kInvalidArgument);
    EXPECT_EQ(finished.aws_type(), "IncompleteBody");
  }
}

TEST(ChunkedDecoder, TrailersNeedATrailerMode) {
  ExpectIncompleteBody("0;chunk-signature=x\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n", kSigned);
}

TEST(ChunkedDecoder, SignedChunksMustCarryASignature) {
  ExpectIncompleteBody("5\r\nhello\r\n0\r\n\r\n", kSigned);
}

// --- signatures: AWS's example, a 66560-byte object of 'a' in 64 KiB chunks ------------------

constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
constexpr char kAmzDate[] = "20130524T000000Z";
constexpr char kScope[] = "20130524/us-east-1/s3/aws4_request";
constexpr size_t kObjectSize = 66560;

ChunkSigning ExampleSigning(const std::string& seed) {
  return ChunkSigning{SigningKey(kSecret, "20130524", "us-east-1", "s3"), seed, kAmzDate, kScope};
}

// "Transferring Payload in Multiple Chunks": STREAMING-AWS4-HMAC-SHA256-PAYLOAD.
constexpr char kSeed[] = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
constexpr char kChunk1[] = "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648";
constexpr char kChunk2[] = "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497";
constexpr char kFinal[] = "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9";

std::string SignedBody(const std::string& sig1 = kChunk1, const std::string& sig2 = kChunk2,
                       const std::string& final_sig = kFinal) {
  return "10000;chunk-signature=" + sig1 + "\r\n" + std::string(65536, 'a') + "\r\n" +
         "400;chunk-signature=" + sig2 + "\r\n" + std::string(1024, 'a') + "\r\n" +
         "0;chunk-signature=" + final_sig + "\r\n\r\n";
}

// "Including Trailing Headers": STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, the same object.
constexpr char kTrailerSeed[] = "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e";
constexpr char kTrailerChunk1[] =
    "b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2";
constexpr char kTrailerChunk2[] =
    "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7";
constexpr char kTrailerFinal[] = "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992";
constexpr char kTrailerSignature[] =
    "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435";

std::string SignedTrailerBody(const std::string& trailer_signature = kTrailerSignature) {
  std::string body = SignedBody(kTrailerChunk1, kTrailerChunk2, kTrailerFinal);
  body.resize(body.size() - 2);  // the trailer comes before the empty line that ends the body
  return body + "x-amz-checksum-crc32c:sOO8/Q==\r\n" +
         "x-amz-trailer-signature:" + trailer_signature + "\r\n\r\n";
}

TEST(ChunkedDecoder, ExampleBodyHasTheDocumentedLength) {
  EXPECT_EQ(SignedBody().size(), 66824u);         // its Content-Length
  EXPECT_EQ(SignedTrailerBody().size(), 66946u);  // the trailer example's
}

TEST(ChunkedDecoder, VerifiesAwsSignedChunksExample) {
  for (size_t piece : {size_t{0}, size_t{1000}, size_t{65536}, size_t{1}}) {
    ChunkedDecoder decoder(kSigned, ExampleSigning(kSeed));
    std::string out;
    Status s = Decode(decoder, SignedBody(), out, piece);
    ASSERT_TRUE(s.ok()) << "piece " << piece << ": " << s.ToString();
    EXPECT_EQ(out.size(), kObjectSize) << "piece " << piece;
    EXPECT_EQ(out, std::string(kObjectSize, 'a')) << "piece " << piece;
    EXPECT_TRUE(decoder.trailers().empty());
  }
}

TEST(ChunkedDecoder, AFlippedDataByteDoesNotMatch) {
  for (size_t at : {size_t{88}, size_t{30000}, size_t{65626 + 86 + 5}}) {  // chunk 1, chunk 2
    std::string body = SignedBody();
    ASSERT_EQ(body[at], 'a') << at;
    body[at] = 'b';
    ChunkedDecoder decoder(kSigned, ExampleSigning(kSeed));
    std::string out;
    ExpectSignatureMismatch(Decode(decoder, body, out));
  }
}

TEST(ChunkedDecoder, AWrongChunkSignatureDoesNotMatch) {
  std::string wrong(64, '0');
  for (const std::string& body :
       {SignedBody(wrong, kChunk2, kFinal), SignedBody(kChunk1, wrong, kFinal),
        SignedBody(kChunk1, kChunk2, wrong), SignedBody(kChunk2, kChunk1, kFinal)}) {
    ChunkedDecoder decoder(kSigned, ExampleSigning(kSeed));
    std::string out;
    ExpectSignatureMismatch(Decode(decoder, body, out));
  }
  // The right chunks chained from another seed.
  ChunkedDecoder decoder(kSigned, ExampleSigning(kTrailerSeed));
  std::string out;
  ExpectSignatureMismatch(Decode(decoder, SignedBody(), out));
}

TEST(ChunkedDecoder, NothingIsVerifiedWithoutASigningKey) {
  std::string body = SignedBody(std::string(64, '0'), kChunk2, kFinal);
  body[100] = 'b';
  ChunkedDecoder decoder(kSigned, ChunkSigning{});
  std::string out;
  Status s = Decode(decoder, body, out);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(out.size(), kObjectSize);
  EXPECT_EQ(out[100 - 88], 'b');
}

TEST(ChunkedDecoder, VerifiesAwsSignedTrailerExample) {
  for (size_t piece : {size_t{0}, size_t{1}, size_t{4096}}) {
    ChunkedDecoder decoder(kSignedTrailer, ExampleSigning(kTrailerSeed));
    std::string out;
    Status s = Decode(decoder, SignedTrailerBody(), out, piece);
    ASSERT_TRUE(s.ok()) << "piece " << piece << ": " << s.ToString();
    EXPECT_EQ(out, std::string(kObjectSize, 'a'));
    // The trailer's own signature is not one of the trailers.
    EXPECT_EQ(decoder.trailers(), (Trailers{{"x-amz-checksum-crc32c", "sOO8/Q=="}}));
  }
}

TEST(ChunkedDecoder, AWrongTrailerSignatureDoesNotMatch) {
  ChunkedDecoder decoder(kSignedTrailer, ExampleSigning(kTrailerSeed));
  std::string out;
  ExpectSignatureMismatch(Decode(decoder, SignedTrailerBody(std::string(64, 'f')), out));

  // An altered trailer value under the right signature.
  std::string body = SignedTrailerBody();
  size_t at = body.find("sOO8/Q==");
  ASSERT_NE(at, std::string::npos);
  body[at] = 'X';
  ChunkedDecoder altered(kSignedTrailer, ExampleSigning(kTrailerSeed));
  out.clear();
  ExpectSignatureMismatch(Decode(altered, body, out));
}

}  // namespace
}  // namespace lamina::auth
