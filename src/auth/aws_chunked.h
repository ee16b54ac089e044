// The aws-chunked content encoding: how S3 clients stream an upload whose signature cannot cover
// a body not yet read. Each chunk is `hex-size[;chunk-signature=sig]\r\n<bytes>\r\n`; a chunk of
// size 0 ends the body, optionally followed by trailing headers (a checksum, and the trailer's
// own signature). A signed chunk's signature chains from the previous one, starting at the
// request's own signature (the seed): see AWS's "Signature Calculations for the Authorization
// Header: Transferring Payload in Multiple Chunks".
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/sigv4.h"
#include "common/crypto.h"
#include "common/status.h"
#include "http/message.h"

namespace lamina::auth {

// What a request's x-amz-content-sha256 says about its body's framing.
struct ChunkedMode {
  bool signed_chunks = false;  // STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]
  bool trailer = false;        // ...-TRAILER: trailing headers after the last chunk
};
// The mode of `head`'s body, or nullopt when it is not aws-chunked.
std::optional<ChunkedMode> ChunkedModeOf(const http::HttpRequest& head);

// Decodes an aws-chunked body fed in pieces of any size, verifying each chunk's signature when
// the mode says chunks are signed and `signing` has a key. Errors are kInvalidArgument
// (IncompleteBody: malformed or truncated framing) or kUnauthenticated (SignatureDoesNotMatch).
class ChunkedDecoder {
 public:
  using Output = std::function<Status(std::string_view)>;
  ChunkedDecoder(ChunkedMode mode, ChunkSigning signing);

  // Decodes `bytes`, passing the decoded content to `out` (the first error of `out` is returned).
  Status Feed(std::string_view bytes, const Output& out);
  // The body ended: it must have ended right after the last chunk (and the trailer).
  Status Finish() const;
  // The trailing headers (names lowercase), once finished.
  const std::vector<std::pair<std::string, std::string>>& trailers() const { return trailers_; }

 private:
  enum class State { kSize, kData, kDataEnd, kTrailer, kDone };
  Status OnSizeLine(std::string_view line);
  Status OnTrailerLine(std::string_view line);
  Status CheckChunkSignature();
  // Takes bytes into line_ up to and including "\r\n"; true once a whole line is there.
  bool TakeLine(std::string_view& bytes);

  ChunkedMode mode_;
  ChunkSigning signing_;
  bool verify_;
  State state_ = State::kSize;
  std::string line_;
  uint64_t remaining_ = 0;       // of the current chunk's data
  std::string chunk_signature_;  // the current chunk's claimed signature
  std::string previous_signature_;
  Digest chunk_sha256_ = Digest::Sha256();
  std::vector<std::pair<std::string, std::string>> trailers_;
  std::string trailer_text_;  // as the trailer signature covers it
  bool trailer_signed_ = false;
};

}  // namespace lamina::auth
