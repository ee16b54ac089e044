#include "common/time_format.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace lamina {
namespace {

std::tm ToUtc(int64_t epoch_ms) {
  std::time_t secs = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return tm;
}

std::string Format(int64_t epoch_ms, const char* fmt) {
  std::tm tm = ToUtc(epoch_ms);
  char buf[64];
  size_t n = std::strftime(buf, sizeof buf, fmt, &tm);
  return std::string(buf, n);
}

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

std::string Millis3(int64_t epoch_ms) {
  char buf[8];
  std::snprintf(buf, sizeof buf, ".%03d", static_cast<int>(epoch_ms % 1000));
  return buf;
}

}  // namespace

int64_t NowMillis() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string FormatIso8601Millis(int64_t epoch_ms) {
  return Format(epoch_ms, "%Y-%m-%dT%H:%M:%S") + Millis3(epoch_ms) + "Z";
}

std::string FormatLambdaTimestamp(int64_t epoch_ms) {
  return Format(epoch_ms, "%Y-%m-%dT%H:%M:%S") + Millis3(epoch_ms) + "+0000";
}

std::string FormatAmzDate(int64_t epoch_ms) { return Format(epoch_ms, "%Y%m%dT%H%M%SZ"); }

std::string FormatIso8601Seconds(int64_t epoch_ms) {
  return Format(epoch_ms, "%Y-%m-%dT%H:%M:%SZ");
}

std::string FormatHttpDate(int64_t epoch_ms) {
  return Format(epoch_ms, "%a, %d %b %Y %H:%M:%S GMT");
}

std::optional<int64_t> ParseHttpDate(std::string_view s) {
  std::string text(s);
  std::tm tm{};
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  return static_cast<int64_t>(timegm(&tm)) * 1000;
}

std::optional<int64_t> ParseAmzDate(std::string_view s) {
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') return std::nullopt;
  for (size_t i = 0; i < 15; ++i) {
    if (i != 8 && (s[i] < '0' || s[i] > '9')) return std::nullopt;
  }
  auto num = [&](size_t pos, size_t len) {
    int v = 0;
    for (size_t i = pos; i < pos + len; ++i) v = v * 10 + (s[i] - '0');
    return v;
  };
  int year = num(0, 4), month = num(4, 2), day = num(6, 2);
  // Every field is range-checked here: timegm() would silently carry February 30 into March.
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month) || num(9, 2) > 23 ||
      num(11, 2) > 59 || num(13, 2) > 59) {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = num(9, 2);
  tm.tm_min = num(11, 2);
  tm.tm_sec = num(13, 2);
  return static_cast<int64_t>(timegm(&tm)) * 1000;
}

}  // namespace lamina
