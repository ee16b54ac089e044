// The tokens CloudWatch Logs hands out, and the eventIds of FilterLogEvents.
//
//  * A position (timestamp, id) prints as 56 decimal digits, the timestamp in 19 and the id in
//    37, the length of CloudWatch's own eventIds and tokens. That is an eventId.
//  * GetLogEvents' tokens are "f/<position>" (read forward from after it) and "b/<position>" (read
//    backward from before it), as CloudWatch's are.
//  * Paging tokens (DescribeLogGroups, DescribeLogStreams, FilterLogEvents) are opaque: base64 of
//    "<kind>/<cursor>", the kind naming the operation so one's token is refused by another.
//  * A sequence token is the stream's sequence number in 56 digits.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "services/logs/log_store.h"

namespace lamina::services::logs {

// `position` must not be negative.
std::string FormatPosition(const EventPosition& position);
std::optional<EventPosition> ParsePosition(std::string_view digits);

struct StreamToken {
  bool forward = true;
  EventPosition position;
};
std::string FormatStreamToken(const StreamToken& token);
std::optional<StreamToken> ParseStreamToken(std::string_view token);

std::string FormatPageToken(std::string_view kind, std::string_view cursor);
// The cursor, or nullopt when `token` is malformed or of another kind.
std::optional<std::string> ParsePageToken(std::string_view kind, std::string_view token);

std::string FormatSequenceToken(int64_t sequence);

}  // namespace lamina::services::logs
