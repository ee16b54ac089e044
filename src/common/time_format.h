// Timestamp formats that appear on AWS wires.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"

namespace lamina {

// "2026-11-27T08:41:50.123Z"
std::string FormatIso8601Millis(int64_t epoch_ms);
// Lambda's LastModified: "2026-11-27T08:41:50.123+0000"
std::string FormatLambdaTimestamp(int64_t epoch_ms);
// SigV4's X-Amz-Date: "20261127T084150Z"
std::string FormatAmzDate(int64_t epoch_ms);
// IAM's CreateDate: "2026-11-27T08:41:50Z"
std::string FormatIso8601Seconds(int64_t epoch_ms);
// HTTP's date (RFC 7231 IMF-fixdate), as in Last-Modified: "Fri, 27 Nov 2026 08:41:50 GMT"
std::string FormatHttpDate(int64_t epoch_ms);
// Parses an IMF-fixdate to epoch milliseconds; nullopt when malformed.
std::optional<int64_t> ParseHttpDate(std::string_view s);
// Parses "20261127T084150Z" to epoch milliseconds; nullopt when malformed or out of range
// (month 13, February 30, second 60, ...).
std::optional<int64_t> ParseAmzDate(std::string_view s);

}  // namespace lamina
