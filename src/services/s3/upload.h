// The body of an upload (PutObject, UploadPart) on its way in: decoded from aws-chunked when the
// client framed it so, checked against Content-Length, x-amz-decoded-content-length and
// Content-MD5, hashed (MD5, the ETag) and kept in memory while small, in a temp file beyond.
//
// It is the BodySink of a streamed request, and an in-memory body goes through the same steps
// (Take). Not thread-safe: one request's body at a time, in order.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "auth/aws_chunked.h"
#include "common/crypto.h"
#include "http/message.h"
#include "services/s3/object_files.h"

namespace lamina::services::s3 {

// Bodies up to this size are kept in the store's row rather than in a file of their own.
constexpr uint64_t kInlineMax = 64 * 1024;
// S3's limit for a single PutObject and for one part.
constexpr uint64_t kMaxUploadSize = 5ULL * 1024 * 1024 * 1024;

class Upload final : public http::BodySink {
 public:
  // `head` is the request whose body this is. `inline_allowed`: a small body may stay in memory
  // (an object's); otherwise it always goes to a file (a part's).
  Upload(const ObjectFiles* files, const http::HttpRequest& head, auth::ChunkSigning signing,
         bool inline_allowed);

  Status Start() override;
  Status Write(std::string_view bytes) override;
  Status Finish() override;
  // Start, Write(body), Finish: for a body that was read into memory.
  Status Take(std::string_view body);

  uint64_t size() const { return size_; }
  const std::string& md5_hex() const { return md5_hex_; }
  // Whether the body stayed in memory: then body() has it; otherwise Place() stores its file.
  bool in_memory() const { return !writer_; }
  std::string& body() { return memory_; }
  StatusOr<Segment> Place() {
    if (!writer_) return Internal("an upload kept in memory has no file to place");
    return writer_->Place();
  }

 private:
  Status Decoded(std::string_view bytes);

  const ObjectFiles* files_;
  bool inline_allowed_;
  std::optional<auth::ChunkedDecoder> decoder_;
  std::optional<uint64_t> declared_size_;  // of the decoded body
  std::string content_md5_;                // base64, when the client sent one
  Digest md5_ = Digest::Md5();
  uint64_t size_ = 0;
  std::string memory_;
  std::optional<ObjectFiles::Writer> writer_;
  std::string md5_hex_;
};

}  // namespace lamina::services::s3
