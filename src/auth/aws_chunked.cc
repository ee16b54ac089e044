#include "auth/aws_chunked.h"

#include <algorithm>
#include <cctype>

namespace lamina::auth {
namespace {

constexpr size_t kMaxLine = 4096;
constexpr std::string_view kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

Status Malformed(std::string detail) {
  return InvalidArgument("The aws-chunked body is malformed: " + std::move(detail),
                         "IncompleteBody");
}

Status SignatureMismatch() {
  return Unauthenticated(
      "The request signature we calculated does not match the signature you provided. Check "
      "your key and signing method.",
      "SignatureDoesNotMatch");
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<ChunkedMode> ChunkedModeOf(const http::HttpRequest& head) {
  const std::string* sha = head.Header("x-amz-content-sha256");
  if (!sha) return std::nullopt;
  if (*sha == "STREAMING-AWS4-HMAC-SHA256-PAYLOAD") return ChunkedMode{true, false};
  if (*sha == "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER") return ChunkedMode{true, true};
  if (*sha == "STREAMING-UNSIGNED-PAYLOAD-TRAILER") return ChunkedMode{false, true};
  return std::nullopt;
}

ChunkedDecoder::ChunkedDecoder(ChunkedMode mode, ChunkSigning signing)
    : mode_(mode),
      signing_(std::move(signing)),
      verify_(mode.signed_chunks && !signing_.signing_key.empty()),
      previous_signature_(signing_.seed_signature) {}

bool ChunkedDecoder::TakeLine(std::string_view& bytes) {
  size_t take = bytes.size();
  // Look for the end of the line, which may straddle two pieces.
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] == '\n') {
      take = i + 1;
      break;
    }
  }
  line_.append(bytes.substr(0, take));
  bytes.remove_prefix(take);
  return !line_.empty() && line_.back() == '\n';
}

Status ChunkedDecoder::Feed(std::string_view bytes, const Output& out) {
  while (!bytes.empty()) {
    switch (state_) {
      case State::kSize:
      case State::kTrailer:
      case State::kDataEnd: {
        bool whole = TakeLine(bytes);
        if (line_.size() > kMaxLine) return Malformed("a chunk header is too long");
        if (!whole) break;
        if (line_.size() < 2 || line_[line_.size() - 2] != '\r') {
          return Malformed("a line does not end in CRLF");
        }
        std::string_view line(line_.data(), line_.size() - 2);
        Status s;
        if (state_ == State::kDataEnd) {
          if (!line.empty()) return Malformed("a chunk's data is longer than its size");
          state_ = State::kSize;
        } else if (state_ == State::kSize) {
          s = OnSizeLine(line);
        } else {
          s = OnTrailerLine(line);
        }
        line_.clear();
        RETURN_IF_ERROR(s);
        break;
      }
      case State::kData: {
        size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, bytes.size()));
        std::string_view data = bytes.substr(0, n);
        if (verify_) chunk_sha256_.Update(data);
        RETURN_IF_ERROR(out(data));
        bytes.remove_prefix(n);
        remaining_ -= n;
        if (remaining_ == 0) {
          RETURN_IF_ERROR(CheckChunkSignature());
          state_ = State::kDataEnd;
        }
        break;
      }
      case State::kDone:
        return Malformed("bytes follow the final chunk");
    }
  }
  return Status::Ok();
}

Status ChunkedDecoder::OnSizeLine(std::string_view line) {
  size_t semi = line.find(';');
  std::string_view hex = line.substr(0, semi);
  if (hex.empty() || hex.size() > 15) return Malformed("bad chunk size '" + std::string(hex) + "'");
  uint64_t size = 0;
  for (char c : hex) {
    int digit = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
                : (c >= 'a' && c <= 'f')                    ? c - 'a' + 10
                : (c >= 'A' && c <= 'F')                    ? c - 'A' + 10
                                                            : -1;
    if (digit < 0) return Malformed("bad chunk size '" + std::string(hex) + "'");
    size = size * 16 + static_cast<uint64_t>(digit);
  }
  chunk_signature_.clear();
  if (semi != std::string_view::npos) {
    std::string_view ext = line.substr(semi + 1);
    constexpr std::string_view kKey = "chunk-signature=";
    if (ext.substr(0, kKey.size()) == kKey) chunk_signature_ = std::string(ext.substr(kKey.size()));
  }
  if (mode_.signed_chunks && chunk_signature_.empty()) {
    return Malformed("a chunk has no chunk-signature");
  }
  remaining_ = size;
  if (size > 0) {
    state_ = State::kData;
    return Status::Ok();
  }
  RETURN_IF_ERROR(CheckChunkSignature());  // the final, empty chunk is signed too
  state_ = State::kTrailer;                // its trailer, or the empty line that ends the body
  return Status::Ok();
}

Status ChunkedDecoder::OnTrailerLine(std::string_view line) {
  if (line.empty()) {
    // Signed trailing headers must come with their signature.
    if (verify_ && mode_.trailer && !trailer_signed_) return SignatureMismatch();
    state_ = State::kDone;
    return Status::Ok();
  }
  if (!mode_.trailer) return Malformed("the final chunk is not followed by an empty line");
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return Malformed("a trailer line has no ':'");
  std::string name = Lower(Trim(line.substr(0, colon)));
  std::string value(Trim(line.substr(colon + 1)));
  if (name == "x-amz-trailer-signature") {
    if (!verify_) return Status::Ok();
    std::string sts = "AWS4-HMAC-SHA256-TRAILER\n" + signing_.amz_date + "\n" + signing_.scope +
                      "\n" + previous_signature_ + "\n" + HexEncode(Sha256(trailer_text_));
    if (!SecureEquals(HexEncode(HmacSha256(signing_.signing_key, sts)), value)) {
      return SignatureMismatch();
    }
    trailer_signed_ = true;
    return Status::Ok();
  }
  trailer_text_ += name + ":" + value + "\n";
  trailers_.emplace_back(std::move(name), std::move(value));
  return Status::Ok();
}

Status ChunkedDecoder::CheckChunkSignature() {
  if (!verify_) return Status::Ok();
  std::string sts = "AWS4-HMAC-SHA256-PAYLOAD\n" + signing_.amz_date + "\n" + signing_.scope +
                    "\n" + previous_signature_ + "\n" + std::string(kEmptySha256) + "\n" +
                    HexEncode(chunk_sha256_.Final());
  std::string expected = HexEncode(HmacSha256(signing_.signing_key, sts));
  if (!SecureEquals(expected, chunk_signature_)) return SignatureMismatch();
  previous_signature_ = std::move(expected);
  return Status::Ok();
}

Status ChunkedDecoder::Finish() const {
  if (state_ != State::kDone) return Malformed("the body ended before its final chunk");
  return Status::Ok();
}

}  // namespace lamina::auth
