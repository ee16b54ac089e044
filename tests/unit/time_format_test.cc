#include "common/time_format.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace lamina {
namespace {

constexpr int64_t kVectorDateMs = 1440938160000;  // 2015-08-30T12:36:00Z

TEST(TimeFormatTest, FormatsEveryWireShape) {
  int64_t t = kVectorDateMs + 123;
  EXPECT_EQ(FormatAmzDate(t), "20150830T123600Z");
  EXPECT_EQ(FormatIso8601Millis(t), "2015-08-30T12:36:00.123Z");
  EXPECT_EQ(FormatLambdaTimestamp(t), "2015-08-30T12:36:00.123+0000");
  EXPECT_EQ(FormatIso8601Seconds(t), "2015-08-30T12:36:00Z");
}

TEST(TimeFormatTest, MillisecondsArePaddedToThreeDigits) {
  EXPECT_EQ(FormatIso8601Millis(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatIso8601Millis(7), "1970-01-01T00:00:00.007Z");
  EXPECT_EQ(FormatLambdaTimestamp(999), "1970-01-01T00:00:00.999+0000");
}

TEST(ParseAmzDateTest, ParsesToEpochMillis) {
  EXPECT_EQ(ParseAmzDate("20150830T123600Z"), std::optional<int64_t>(kVectorDateMs));
  EXPECT_EQ(ParseAmzDate("19700101T000000Z"), std::optional<int64_t>(0));
  EXPECT_EQ(ParseAmzDate("20240229T235959Z"), std::optional<int64_t>(1709251199000));
  EXPECT_EQ(ParseAmzDate("21001231T235959Z"), std::optional<int64_t>(4133980799000));
}

TEST(ParseAmzDateTest, RoundTripsWithFormatAmzDate) {
  for (int64_t seconds : {int64_t{0}, int64_t{946684800}, int64_t{951782400},  // 2000-02-29
                          int64_t{1440938160}, int64_t{1705314030}, int64_t{1709251199},
                          int64_t{2147483647}, int64_t{2147483648}, int64_t{4133980799}}) {
    std::string text = FormatAmzDate(seconds * 1000 + 456);
    std::optional<int64_t> parsed = ParseAmzDate(text);
    ASSERT_TRUE(parsed.has_value()) << text;
    EXPECT_EQ(*parsed, seconds * 1000) << text;  // the format has no milliseconds
    EXPECT_EQ(FormatAmzDate(*parsed), text);
  }
}

TEST(ParseAmzDateTest, RejectsMalformedShapes) {
  for (const char* bad :
       {"", "20150830T123600", "20150830T123600ZZ", "20150830t123600Z", "20150830T123600z",
        "20150830 123600Z", "2015-08-30T12:36:00Z", "2015083OT123600Z", "20150830T12360OZ",
        "+0150830T123600Z", "20150830T-23600Z", "20150830T123600.000Z", "Sun, 30 Aug 2015"}) {
    EXPECT_FALSE(ParseAmzDate(bad).has_value()) << bad;
  }
}

TEST(ParseAmzDateTest, RejectsOutOfRangeFields) {
  for (const char* bad : {"20151330T123600Z",     // month 13
                          "20150030T123600Z",     // month 0
                          "20150800T123600Z",     // day 0
                          "20150832T123600Z",     // day 32
                          "20150830T243600Z",     // hour 24
                          "20150830T126000Z",     // minute 60
                          "20150830T123660Z",     // second 60
                          "20150230T123600Z",     // February 30
                          "20230229T123600Z",     // February 29 outside a leap year
                          "21000229T123600Z",     // 2100 is not a leap year
                          "20150431T123600Z"}) {  // April 31
    EXPECT_FALSE(ParseAmzDate(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace lamina
