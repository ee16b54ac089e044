#include "common/file_util.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "scoped_temp_dir.h"

namespace lamina {
namespace {

using namespace std::string_literals;

int ModeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

std::vector<std::string> Names(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// Sets the umask for one scope.
class ScopedUmask {
 public:
  explicit ScopedUmask(mode_t mask) : old_(::umask(mask)) {}
  ~ScopedUmask() { ::umask(old_); }

 private:
  mode_t old_;
};

class FileUtilTest : public ::testing::Test {
 protected:
  test_util::ScopedTempDir dir_;
};

TEST_F(FileUtilTest, WriteThenReadRoundTrips) {
  std::string path = dir_.Join("file");
  std::string data = "line\n\0binary\xff"s + std::string(300000, 'x');  // several read() calls
  ASSERT_TRUE(WriteFileDurably(path, data).ok());
  std::string read = "stale";
  ASSERT_TRUE(ReadFile(path, read).ok());
  EXPECT_EQ(read, data);

  ASSERT_TRUE(WriteFileDurably(path, "").ok());
  ASSERT_TRUE(ReadFile(path, read).ok());
  EXPECT_EQ(read, "");
}

TEST_F(FileUtilTest, WriteReplacesAndLeavesNoTempFile) {
  std::string path = dir_.Join("config");
  ASSERT_TRUE(WriteFileDurably(path, "old contents, longer").ok());
  ASSERT_TRUE(WriteFileDurably(path, "new").ok());
  std::string read;
  ASSERT_TRUE(ReadFile(path, read).ok());
  EXPECT_EQ(read, "new");
  EXPECT_EQ(Names(dir_.path()), std::vector<std::string>{"config"});
}

TEST_F(FileUtilTest, ModeIsExactWhateverTheUmask) {
  {
    ScopedUmask mask(022);
    ASSERT_TRUE(WriteFileDurably(dir_.Join("secret"), "s", 0600).ok());
    EXPECT_EQ(ModeOf(dir_.Join("secret")), 0600);
    ASSERT_TRUE(WriteFileDurably(dir_.Join("default"), "d").ok());
    EXPECT_EQ(ModeOf(dir_.Join("default")), 0644);
  }
  {
    ScopedUmask mask(077);
    ASSERT_TRUE(WriteFileDurably(dir_.Join("shared"), "s", 0644).ok());
    EXPECT_EQ(ModeOf(dir_.Join("shared")), 0644);
    ASSERT_TRUE(WriteFileDurably(dir_.Join("exec"), "#!/bin/sh\n", 0755).ok());
    EXPECT_EQ(ModeOf(dir_.Join("exec")), 0755);
  }
  ASSERT_TRUE(WriteFileDurably(dir_.Join("secret"), "again", 0640).ok());
  EXPECT_EQ(ModeOf(dir_.Join("secret")), 0640) << "a rewrite takes the new mode";
}

TEST_F(FileUtilTest, ConcurrentWritesOfOnePathLeaveOneWholeFile) {
  std::string path = dir_.Join("contended");
  std::vector<std::thread> threads;
  std::vector<Status> results(6);
  for (size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back([&, i] {
      std::string data(50000, static_cast<char>('a' + i));
      for (int round = 0; round < 10 && results[i].ok(); ++round) {
        results[i] = WriteFileDurably(path, data);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (const Status& s : results) EXPECT_TRUE(s.ok()) << s.ToString();
  std::string read;
  ASSERT_TRUE(ReadFile(path, read).ok());
  ASSERT_EQ(read.size(), 50000u);
  EXPECT_EQ(read, std::string(50000, read[0])) << "one writer's data, whole";
  EXPECT_EQ(Names(dir_.path()), std::vector<std::string>{"contended"});
}

TEST_F(FileUtilTest, WriteIntoAMissingDirectoryFails) {
  Status s = WriteFileDurably(dir_.Join("missing/file"), "x");
  EXPECT_FALSE(s.ok());
}

TEST_F(FileUtilTest, ReadOfAMissingFileIsNotFound) {
  std::string out;
  Status s = ReadFile(dir_.Join("absent"), out);
  EXPECT_EQ(s.code(), Code::kNotFound) << s.ToString();
  EXPECT_EQ(ReadFile(dir_.Join("absent/deeper"), out).code(), Code::kNotFound);
}

TEST_F(FileUtilTest, ReadOfADirectoryIsAnErrorButNotNotFound) {
  std::string out;
  Status s = ReadFile(dir_.path(), out);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.code(), Code::kNotFound);
}

TEST_F(FileUtilTest, MakeDirsCreatesEveryLevelWithTheMode) {
  std::string deep = dir_.Join("a/b/c");
  ASSERT_TRUE(MakeDirs(deep, 0700).ok());
  EXPECT_TRUE(std::filesystem::is_directory(deep));
  EXPECT_EQ(ModeOf(dir_.Join("a")), 0700);
  EXPECT_EQ(ModeOf(deep), 0700);
  EXPECT_TRUE(MakeDirs(deep, 0700).ok()) << "existing directories are fine";
  EXPECT_TRUE(MakeDirs(dir_.Join("x/y/"), 0755).ok()) << "a trailing slash is fine";
  EXPECT_TRUE(std::filesystem::is_directory(dir_.Join("x/y")));
  EXPECT_TRUE(MakeDirs("", 0755).ok());
}

TEST_F(FileUtilTest, MakeDirsThroughAFileFails) {
  ASSERT_TRUE(WriteFileDurably(dir_.Join("file"), "x").ok());
  EXPECT_FALSE(MakeDirs(dir_.Join("file/sub"), 0755).ok());
}

TEST_F(FileUtilTest, SyncDir) {
  EXPECT_TRUE(SyncDir(dir_.path()).ok());
  EXPECT_EQ(SyncDir(dir_.Join("absent")).code(), Code::kNotFound);
}

}  // namespace
}  // namespace lamina
