#include "common/crypto.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <thread>

namespace lamina {
namespace {

TEST(Sha256Test, KnownDigests) {
  EXPECT_EQ(HexEncode(Sha256("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(HexEncode(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256("abc").size(), 32u);
}

TEST(HmacSha256Test, Rfc4231Case2) {
  EXPECT_EQ(HexEncode(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

// The HMAC context is kept per thread and re-keyed on every call: an empty key must not mean
// "the previous key", and threads must not share keys.
TEST(HmacSha256Test, EveryCallUsesItsOwnKey) {
  const std::string keyed = "c38edc8815c8489f64738978f44008f8596345545f0baa68ef6fcf5c53e57189";
  const std::string unkeyed = "4cbc96099a6467ce002461f10549b4898265ebe6188b45efacc44293516e62c4";
  EXPECT_EQ(HexEncode(HmacSha256("k", "x")), keyed);
  EXPECT_EQ(HexEncode(HmacSha256(std::string_view(), "x")), unkeyed);
  EXPECT_EQ(HexEncode(HmacSha256("k", "x")), keyed);
  EXPECT_EQ(HexEncode(HmacSha256("", "x")), unkeyed);
  std::string other;
  std::thread([&other] { other = HexEncode(HmacSha256("", "x")); }).join();
  EXPECT_EQ(other, unkeyed);
}

TEST(HexEncodeTest, LowercaseAndAllBytes) {
  EXPECT_EQ(HexEncode(""), "");
  EXPECT_EQ(HexEncode(std::string("\x00\x0f\xf0\xff", 4)), "000ff0ff");
}

TEST(Base64Test, Rfc4648Vectors) {
  const std::pair<std::string, std::string> kVectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : kVectors) {
    EXPECT_EQ(Base64Encode(plain), encoded);
    std::string decoded = "garbage";
    ASSERT_TRUE(Base64Decode(encoded, decoded)) << encoded;
    EXPECT_EQ(decoded, plain);
  }
}

TEST(Base64Test, RoundTripsEveryLengthAndByte) {
  std::string data;
  for (int i = 0; i < 300; ++i) {
    data.push_back(static_cast<char>((i * 37 + 11) & 0xff));
    std::string decoded;
    ASSERT_TRUE(Base64Decode(Base64Encode(data), decoded)) << "length " << data.size();
    EXPECT_EQ(decoded, data);
  }
}

TEST(Base64Test, RejectsMalformedInput) {
  std::string out;
  EXPECT_FALSE(Base64Decode("Zm9", out)) << "length not a multiple of 4";
  EXPECT_FALSE(Base64Decode("Zg=", out));
  EXPECT_FALSE(Base64Decode("Zg", out));
  EXPECT_FALSE(Base64Decode("Zm9v\n", out)) << "whitespace";
  EXPECT_FALSE(Base64Decode("Zm 9", out));
  EXPECT_FALSE(Base64Decode(" Zm9v", out));
  EXPECT_FALSE(Base64Decode("Zm9v YmFy", out));
  EXPECT_FALSE(Base64Decode("Zm-_", out)) << "URL-safe alphabet";
  EXPECT_FALSE(Base64Decode("Z===", out)) << "three padding characters";
  EXPECT_FALSE(Base64Decode("====", out));
  EXPECT_FALSE(Base64Decode("Zg==Zg==", out)) << "padding in the middle";
  EXPECT_FALSE(Base64Decode("Z=g=", out));
  EXPECT_FALSE(Base64Decode("Zm9=v", out));
  EXPECT_FALSE(Base64Decode(std::string("Zm\0v", 4), out));
}

TEST(RandomTest, BytesHaveTheRequestedLengthAndDiffer) {
  EXPECT_EQ(RandomBytes(0).size(), 0u);
  EXPECT_EQ(RandomBytes(33).size(), 33u);
  EXPECT_NE(RandomBytes(16), RandomBytes(16));
}

TEST(RandomTest, UniqueBytesHaveTheRequestedLengthAndNeverRepeat) {
  EXPECT_EQ(UniqueBytes(0).size(), 0u);
  EXPECT_EQ(UniqueBytes(13).size(), 13u);  // not a multiple of the generator's 8 bytes
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) EXPECT_TRUE(seen.insert(UniqueBytes(12)).second);
  // Each thread has its own generator, seeded apart.
  std::string other;
  std::thread([&other] { other = UniqueBytes(16); }).join();
  EXPECT_EQ(seen.count(other.substr(0, 12)), 0u);
  EXPECT_NE(other, UniqueBytes(16));
}

TEST(RandomTest, UuidIsVersion4) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string u = RandomUuid();
    ASSERT_EQ(u.size(), 36u) << u;
    EXPECT_EQ(u[8], '-');
    EXPECT_EQ(u[13], '-');
    EXPECT_EQ(u[18], '-');
    EXPECT_EQ(u[23], '-');
    EXPECT_EQ(u[14], '4') << u;
    EXPECT_NE(std::string("89ab").find(u[19]), std::string::npos) << u;
    for (char c : u) {
      EXPECT_TRUE(c == '-' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << u;
    }
    seen.insert(u);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(SecureEqualsTest, ComparesContentAndLength) {
  EXPECT_TRUE(SecureEquals("", ""));
  EXPECT_TRUE(SecureEquals("abc", "abc"));
  EXPECT_FALSE(SecureEquals("abc", "abd"));
  EXPECT_FALSE(SecureEquals("abc", "ab"));
  EXPECT_FALSE(SecureEquals("", "a"));
}

}  // namespace
}  // namespace lamina
