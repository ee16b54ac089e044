#include "common/uri.h"

#include <gtest/gtest.h>

#include <string>

namespace lamina {
namespace {

using namespace std::string_literals;

TEST(UriEncodeTest, KeepsOnlyUnreservedCharacters) {
  EXPECT_EQ(UriEncode(""), "");
  EXPECT_EQ(UriEncode("AZaz09-_.~"), "AZaz09-_.~");
  EXPECT_EQ(UriEncode(" "), "%20");
  EXPECT_EQ(UriEncode("+"), "%2B");
  EXPECT_EQ(UriEncode("a/b"), "a%2Fb");
  EXPECT_EQ(UriEncode("a/b", /*keep_slash=*/true), "a/b");
  EXPECT_EQ(UriEncode("!*'();:@&=$,?#[]%"), "%21%2A%27%28%29%3B%3A%40%26%3D%24%2C%3F%23%5B%5D%25");
}

TEST(UriEncodeTest, EncodesUtf8ByteByByteInUppercaseHex) {
  EXPECT_EQ(UriEncode("\xE1\x88\xB4"), "%E1%88%B4");
  EXPECT_EQ(UriEncode("\x00\xff"s), "%00%FF");
}

TEST(UriDecodeTest, DecodesEscapes) {
  std::string out;
  ASSERT_TRUE(UriDecode("a%20b%2Fc%2f", out));
  EXPECT_EQ(out, "a b/c/");
  ASSERT_TRUE(UriDecode("%E1%88%B4", out));
  EXPECT_EQ(out, "\xE1\x88\xB4");
  ASSERT_TRUE(UriDecode("%00", out));
  EXPECT_EQ(out, "\0"s);
  ASSERT_TRUE(UriDecode("", out));
  EXPECT_EQ(out, "");
  ASSERT_TRUE(UriDecode("%41", out)) << "an escape that ends the string";
  EXPECT_EQ(out, "A");
}

TEST(UriDecodeTest, RejectsTruncatedAndNonHexEscapes) {
  std::string out;
  EXPECT_FALSE(UriDecode("%", out));
  EXPECT_FALSE(UriDecode("%4", out));
  EXPECT_FALSE(UriDecode("abc%", out));
  EXPECT_FALSE(UriDecode("abc%2", out));
  EXPECT_FALSE(UriDecode("%zz", out));
  EXPECT_FALSE(UriDecode("%4g", out));
  EXPECT_FALSE(UriDecode("%g4", out));
  EXPECT_FALSE(UriDecode("%%41", out));
  EXPECT_FALSE(UriDecode("% 1", out));
}

TEST(UriDecodeTest, PlusIsSpaceOnlyWhenAsked) {
  std::string out;
  ASSERT_TRUE(UriDecode("a+b%2B", out));
  EXPECT_EQ(out, "a+b+");
  ASSERT_TRUE(UriDecode("a+b%2B", out, /*plus_is_space=*/true));
  EXPECT_EQ(out, "a b+");
}

TEST(ParseQueryTest, SplitsAndDecodesInOrder) {
  QueryParams params;
  ASSERT_TRUE(ParseQuery("b=2&a=1&b=&c&d=x%3Dy", params));
  QueryParams expected = {{"b", "2"}, {"a", "1"}, {"b", ""}, {"c", ""}, {"d", "x=y"}};
  EXPECT_EQ(params, expected);
}

TEST(ParseQueryTest, EmptyPartsAreSkipped) {
  QueryParams params = {{"stale", "entry"}};
  ASSERT_TRUE(ParseQuery("", params));
  EXPECT_TRUE(params.empty());
  ASSERT_TRUE(ParseQuery("&&a=1&", params));
  EXPECT_EQ(params, (QueryParams{{"a", "1"}}));
}

TEST(ParseQueryTest, OnlyTheFirstEqualsSplits) {
  QueryParams params;
  ASSERT_TRUE(ParseQuery("a=1=2&=v", params));
  EXPECT_EQ(params, (QueryParams{{"a", "1=2"}, {"", "v"}}));
}

TEST(ParseQueryTest, RejectsAMalformedEscapeInKeyOrValue) {
  QueryParams params;
  EXPECT_FALSE(ParseQuery("a=%4", params));
  EXPECT_FALSE(ParseQuery("a%=1", params));
  EXPECT_FALSE(ParseQuery("ok=1&bad=%zz", params));
}

TEST(ParseQueryTest, PlusHandling) {
  QueryParams params;
  ASSERT_TRUE(ParseQuery("q=a+b", params));
  EXPECT_EQ(params, (QueryParams{{"q", "a+b"}}));
  ASSERT_TRUE(ParseQuery("q+k=a+b", params, /*plus_is_space=*/true));
  EXPECT_EQ(params, (QueryParams{{"q k", "a b"}}));
}

TEST(IsValidUtf8Test, AcceptsWellFormedText) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("nul \0 inside"s));
  EXPECT_TRUE(IsValidUtf8("\xC2\x80"));          // U+0080, smallest two-byte
  EXPECT_TRUE(IsValidUtf8("\xDF\xBF"));          // U+07FF
  EXPECT_TRUE(IsValidUtf8("\xE0\xA0\x80"));      // U+0800, smallest three-byte
  EXPECT_TRUE(IsValidUtf8("\xED\x9F\xBF"));      // U+D7FF, just below the surrogates
  EXPECT_TRUE(IsValidUtf8("\xEE\x80\x80"));      // U+E000, just above them
  EXPECT_TRUE(IsValidUtf8("\xEF\xBF\xBF"));      // U+FFFF
  EXPECT_TRUE(IsValidUtf8("\xF0\x90\x80\x80"));  // U+10000, smallest four-byte
  EXPECT_TRUE(IsValidUtf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF, the last code point
  EXPECT_TRUE(IsValidUtf8("caf\xC3\xA9 \xE1\x88\xB4 \xF0\x9F\x98\x80"));
}

TEST(IsValidUtf8Test, RejectsOverlongEncodings) {
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // '/' in two bytes
  EXPECT_FALSE(IsValidUtf8("\xC1\xBF"));          // U+007F in two bytes
  EXPECT_FALSE(IsValidUtf8("\xC0\x80"));          // NUL in two bytes
  EXPECT_FALSE(IsValidUtf8("\xE0\x80\xAF"));      // '/' in three bytes
  EXPECT_FALSE(IsValidUtf8("\xE0\x9F\xBF"));      // U+07FF in three bytes
  EXPECT_FALSE(IsValidUtf8("\xF0\x80\x80\xAF"));  // '/' in four bytes
  EXPECT_FALSE(IsValidUtf8("\xF0\x8F\xBF\xBF"));  // U+FFFF in four bytes
}

TEST(IsValidUtf8Test, RejectsSurrogatesAndOutOfRange) {
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));              // U+D800
  EXPECT_FALSE(IsValidUtf8("\xED\xBF\xBF"));              // U+DFFF
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\xBD\xED\xB8\x80"));  // a CESU-8 surrogate pair
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));          // U+110000
  EXPECT_FALSE(IsValidUtf8("\xF7\xBF\xBF\xBF"));
  EXPECT_FALSE(IsValidUtf8("\xF8\x88\x80\x80\x80"));  // five-byte form
  EXPECT_FALSE(IsValidUtf8("\xFE"));
  EXPECT_FALSE(IsValidUtf8("\xFF"));
}

TEST(IsValidUtf8Test, RejectsTruncatedAndBrokenSequences) {
  EXPECT_FALSE(IsValidUtf8("\xC3"));
  EXPECT_FALSE(IsValidUtf8("abc\xC3"));
  EXPECT_FALSE(IsValidUtf8("\xE1\x88"));
  EXPECT_FALSE(IsValidUtf8("\xF0\x9F\x98"));
  EXPECT_FALSE(IsValidUtf8("\x80"));  // lone continuation byte
  EXPECT_FALSE(IsValidUtf8("a\xBFz"));
  EXPECT_FALSE(IsValidUtf8("\xC3\x28"));  // continuation expected, ASCII found
  EXPECT_FALSE(IsValidUtf8("\xE1\x88\x41"));
  EXPECT_FALSE(IsValidUtf8("\xF0\x9F\x98\xC3\xA9"));
}

}  // namespace
}  // namespace lamina
