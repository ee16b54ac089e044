#include "services/s3/upload.h"

#include <charconv>

#include "services/s3/s3_errors.h"

namespace lamina::services::s3 {
namespace {

std::optional<uint64_t> ParseLength(const std::string* text) {
  if (!text) return std::nullopt;
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || end != text->data() + text->size()) return std::nullopt;
  return v;
}

Status TooLarge() {
  return lamina::InvalidArgument("Your proposed upload exceeds the maximum allowed size",
                                 "EntityTooLarge");
}

}  // namespace

Upload::Upload(const ObjectFiles* files, const http::HttpRequest& head, auth::ChunkSigning signing,
               bool inline_allowed)
    : files_(files), inline_allowed_(inline_allowed) {
  if (auto mode = auth::ChunkedModeOf(head)) {
    decoder_.emplace(*mode, std::move(signing));
    declared_size_ = ParseLength(head.Header("x-amz-decoded-content-length"));
  } else {
    declared_size_ = ParseLength(head.Header("content-length"));
  }
  if (const std::string* md5 = head.Header("content-md5")) content_md5_ = *md5;
}

Status Upload::Start() {
  if (declared_size_ && *declared_size_ > kMaxUploadSize) return TooLarge();
  if (!content_md5_.empty()) {
    std::string raw;
    if (!Base64Decode(content_md5_, raw) || raw.size() != 16) {
      return lamina::InvalidArgument("The Content-MD5 you specified was invalid.", "InvalidDigest");
    }
  }
  if (!inline_allowed_ || (declared_size_ && *declared_size_ > kInlineMax)) {
    ASSIGN_OR_RETURN(ObjectFiles::Writer w, files_->NewWriter());
    writer_.emplace(std::move(w));
  }
  return Status::Ok();
}

Status Upload::Write(std::string_view bytes) {
  if (decoder_) {
    return decoder_->Feed(bytes, [this](std::string_view decoded) { return Decoded(decoded); });
  }
  return Decoded(bytes);
}

Status Upload::Decoded(std::string_view bytes) {
  size_ += bytes.size();
  if (size_ > kMaxUploadSize) return TooLarge();
  md5_.Update(bytes);
  if (writer_) return writer_->Write(bytes);
  memory_.append(bytes);
  if (memory_.size() > kInlineMax) {  // the body outgrew memory: on to a file
    ASSIGN_OR_RETURN(ObjectFiles::Writer w, files_->NewWriter());
    writer_.emplace(std::move(w));
    RETURN_IF_ERROR(writer_->Write(memory_));
    memory_.clear();
    memory_.shrink_to_fit();
  }
  return Status::Ok();
}

Status Upload::Finish() {
  if (decoder_) RETURN_IF_ERROR(decoder_->Finish());
  if (declared_size_ && *declared_size_ != size_) {
    return lamina::InvalidArgument(
        "You did not provide the number of bytes specified by the Content-Length HTTP header.",
        "IncompleteBody");
  }
  std::string digest = md5_.Final();
  md5_hex_ = HexEncode(digest);
  if (!content_md5_.empty() && Base64Encode(digest) != content_md5_) {
    return lamina::InvalidArgument("The Content-MD5 you specified did not match what we received.",
                                   "BadDigest");
  }
  return Status::Ok();
}

Status Upload::Take(std::string_view body) {
  RETURN_IF_ERROR(Start());
  RETURN_IF_ERROR(Write(body));
  return Finish();
}

}  // namespace lamina::services::s3
