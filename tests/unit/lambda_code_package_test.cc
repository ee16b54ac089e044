#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "common/file_util.h"
#include "lambda/code_package.h"

namespace lamina::lambda {
namespace {

struct Entry {
  std::string name;
  std::string data;
  bool symlink = false;
};

// Builds a zip with libzip in a temp file and returns its bytes.
std::string MakeZip(const std::vector<Entry>& entries) {
  char path[] = "/tmp/lamina-zip-XXXXXX";
  int fd = mkstemp(path);
  close(fd);
  int error = 0;
  zip_t* z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &error);
  EXPECT_NE(z, nullptr);
  for (const Entry& e : entries) {
    zip_source_t* src = zip_source_buffer(z, e.data.data(), e.data.size(), 0);
    zip_int64_t index = zip_file_add(z, e.name.c_str(), src, ZIP_FL_ENC_UTF_8);
    EXPECT_GE(index, 0) << e.name;
    if (e.symlink) {
      zip_file_set_external_attributes(z, static_cast<zip_uint64_t>(index), 0, ZIP_OPSYS_UNIX,
                                       static_cast<zip_uint32_t>(S_IFLNK | 0777) << 16);
    }
  }
  EXPECT_EQ(zip_close(z), 0);
  std::string bytes;
  EXPECT_TRUE(ReadFile(path, bytes).ok());
  unlink(path);
  return bytes;
}

std::string ErrorOf(const std::string& zip) {
  auto info = InspectPackage(zip);
  if (info.ok()) return "";
  EXPECT_EQ(info.status().aws_type(), "InvalidParameterValueException");
  return info.status().message();
}

TEST(LambdaCodePackage, AcceptsAPlainPackageAndCountsItsSizes) {
  std::string zip = MakeZip({{"handler.py", "def handler(e, c):\n    return e\n"},
                             {"lib/util.py", std::string(10000, 'x')},
                             {"lib/link.py", "util.py", true}});
  auto info = InspectPackage(zip);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->entries, 3);
  EXPECT_EQ(info->zipped_bytes, static_cast<int64_t>(zip.size()));
  EXPECT_EQ(info->unzipped_bytes, 32 + 10000 + 7);
}

TEST(LambdaCodePackage, RejectsWhatIsNotAZip) {
  EXPECT_NE(ErrorOf("this is not a zip file at all"), "");
  EXPECT_NE(ErrorOf(""), "");
  std::string zip = MakeZip({{"a.py", std::string(5000, 'a')}});
  EXPECT_NE(ErrorOf(zip.substr(0, zip.size() / 2)), "");  // truncated
}

TEST(LambdaCodePackage, RejectsCorruptedData) {
  std::string zip = MakeZip({{"a.txt", std::string(4096, 'q')}});
  // Flip a byte inside the compressed data (after the 30-byte local header and the name).
  zip[40] = static_cast<char>(zip[40] ^ 0x55);
  EXPECT_NE(ErrorOf(zip), "");
}

TEST(LambdaCodePackage, RejectsEntriesThatEscape) {
  EXPECT_NE(ErrorOf(MakeZip({{"../evil.py", "x"}})).find("outside"), std::string::npos);
  EXPECT_NE(ErrorOf(MakeZip({{"a/../../evil.py", "x"}})).find("outside"), std::string::npos);
  EXPECT_NE(ErrorOf(MakeZip({{"/etc/evil", "x"}})).find("outside"), std::string::npos);
  EXPECT_EQ(ErrorOf(MakeZip({{"a/../fine.py", "x"}})), "");
}

TEST(LambdaCodePackage, RejectsSymlinksThatEscape) {
  EXPECT_NE(ErrorOf(MakeZip({{"link", "/etc/passwd", true}})).find("Symbolic link"),
            std::string::npos);
  EXPECT_NE(ErrorOf(MakeZip({{"a/link", "../../x", true}})).find("Symbolic link"),
            std::string::npos);
  EXPECT_EQ(ErrorOf(MakeZip({{"a/link", "../x", true}})), "");
}

TEST(LambdaCodePackage, RejectsTooMuchUnzippedData) {
  // Zeros compress ~1000:1, so this stays small on the wire.
  std::string big(static_cast<size_t>(kMaxUnzippedBytes) + 1, '\0');
  std::string zip = MakeZip({{"zeros.bin", big}});
  big.clear();
  big.shrink_to_fit();
  EXPECT_LT(zip.size(), 1u << 20);
  EXPECT_EQ(ErrorOf(zip), "Unzipped size must be smaller than 262144000 bytes");
}

}  // namespace
}  // namespace lamina::lambda
