#include "services/logs/tokens.h"

#include <charconv>
#include <limits>

#include "common/crypto.h"

namespace lamina::services::logs {
namespace {

constexpr size_t kTimestampDigits = 19;  // enough for any non-negative int64
constexpr size_t kPositionDigits = 56;

std::string Padded(int64_t value, size_t width) {
  std::string digits = std::to_string(value);
  return std::string(width > digits.size() ? width - digits.size() : 0, '0') + digits;
}

std::optional<int64_t> ParseDigits(std::string_view digits) {
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  // Leading zeros are padding; what is left must fit an int64.
  size_t first = digits.find_first_not_of('0');
  if (first == std::string_view::npos) return 0;
  digits.remove_prefix(first);
  int64_t value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return value;
}

}  // namespace

std::string FormatPosition(const EventPosition& position) {
  return Padded(position.timestamp, kTimestampDigits) +
         Padded(position.id, kPositionDigits - kTimestampDigits);
}

std::optional<EventPosition> ParsePosition(std::string_view digits) {
  if (digits.size() != kPositionDigits) return std::nullopt;
  std::optional<int64_t> timestamp = ParseDigits(digits.substr(0, kTimestampDigits));
  std::optional<int64_t> id = ParseDigits(digits.substr(kTimestampDigits));
  if (!timestamp || !id) return std::nullopt;
  return EventPosition{*timestamp, *id};
}

std::string FormatStreamToken(const StreamToken& token) {
  return (token.forward ? "f/" : "b/") + FormatPosition(token.position);
}

std::optional<StreamToken> ParseStreamToken(std::string_view token) {
  if (token.size() < 2 || token[1] != '/' || (token[0] != 'f' && token[0] != 'b')) {
    return std::nullopt;
  }
  std::optional<EventPosition> position = ParsePosition(token.substr(2));
  if (!position) return std::nullopt;
  return StreamToken{token[0] == 'f', *position};
}

std::string FormatPageToken(std::string_view kind, std::string_view cursor) {
  return Base64Encode(std::string(kind) + "/" + std::string(cursor));
}

std::optional<std::string> ParsePageToken(std::string_view kind, std::string_view token) {
  std::string decoded;
  if (!Base64Decode(token, decoded)) return std::nullopt;
  if (decoded.size() <= kind.size() || decoded.compare(0, kind.size(), kind) != 0 ||
      decoded[kind.size()] != '/') {
    return std::nullopt;
  }
  return decoded.substr(kind.size() + 1);
}

std::string FormatSequenceToken(int64_t sequence) { return Padded(sequence, kPositionDigits); }

}  // namespace lamina::services::logs
