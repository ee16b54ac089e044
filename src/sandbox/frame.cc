#include "sandbox/frame.h"

#include <cstring>

namespace lamina::sandbox {
namespace {

void PutU32(uint32_t v, std::string& out) {
  char b[4] = {static_cast<char>(v & 0xff), static_cast<char>((v >> 8) & 0xff),
               static_cast<char>((v >> 16) & 0xff), static_cast<char>((v >> 24) & 0xff)};
  out.append(b, 4);
}

uint32_t GetU32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return static_cast<uint32_t>(u[0]) | static_cast<uint32_t>(u[1]) << 8 |
         static_cast<uint32_t>(u[2]) << 16 | static_cast<uint32_t>(u[3]) << 24;
}

}  // namespace

void AppendFrame(FrameType type, const std::vector<std::string_view>& fields, std::string& out) {
  uint32_t length = 1;
  for (std::string_view f : fields) length += 4 + static_cast<uint32_t>(f.size());
  out.reserve(out.size() + 4 + length);
  PutU32(length, out);
  out += static_cast<char>(type);
  for (std::string_view f : fields) {
    PutU32(static_cast<uint32_t>(f.size()), out);
    out.append(f.data(), f.size());
  }
}

std::optional<Frame> FrameDecoder::Next(bool& bad) {
  bad = false;
  size_t available = buffer_.size() - offset_;
  if (available < 4) return std::nullopt;
  uint32_t length = GetU32(buffer_.data() + offset_);
  if (length < 1 || length > kMaxFrameBytes) {
    bad = true;
    return std::nullopt;
  }
  if (available < 4 + static_cast<size_t>(length)) return std::nullopt;
  const char* p = buffer_.data() + offset_ + 4;
  const char* end = p + length;
  Frame frame{static_cast<FrameType>(static_cast<uint8_t>(*p++)), {}};
  while (p < end) {
    if (end - p < 4) {
      bad = true;
      return std::nullopt;
    }
    uint32_t n = GetU32(p);
    p += 4;
    if (static_cast<size_t>(end - p) < n) {
      bad = true;
      return std::nullopt;
    }
    frame.fields.emplace_back(p, n);
    p += n;
  }
  offset_ += 4 + length;
  // Compact once the consumed prefix dominates, keeping appends amortised O(1).
  if (offset_ > 65536 && offset_ * 2 > buffer_.size()) {
    buffer_.erase(0, offset_);
    offset_ = 0;
  }
  return frame;
}

}  // namespace lamina::sandbox
