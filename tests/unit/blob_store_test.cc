#include "store/blob_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "common/crypto.h"
#include "common/file_util.h"
#include "scoped_temp_dir.h"

namespace lamina::store {
namespace {

using namespace std::string_literals;

constexpr char kHelloDigest[] = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

int ModeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

// Every regular file under `dir`.
std::vector<std::string> FilesUnder(const std::string& dir) {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) files.push_back(entry.path().string());
  }
  return files;
}

class BlobStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(blobs_.Init().ok()); }

  test_util::ScopedTempDir tmp_;
  std::string dir_ = tmp_.Join("blobs/nested");
  BlobStore blobs_{dir_};
};

TEST_F(BlobStoreTest, InitCreatesAPrivateDirectory) {
  EXPECT_TRUE(std::filesystem::is_directory(dir_));
  EXPECT_EQ(ModeOf(dir_), 0700);
  EXPECT_TRUE(blobs_.Init().ok()) << "Init is idempotent";
}

TEST_F(BlobStoreTest, PutReturnsTheSha256AndGetReturnsTheBytes) {
  auto digest = blobs_.Put("hello");
  ASSERT_TRUE(digest.ok()) << digest.status().ToString();
  EXPECT_EQ(*digest, kHelloDigest);
  auto data = blobs_.Get(*digest);
  ASSERT_TRUE(data.ok()) << data.status().ToString();
  EXPECT_EQ(*data, "hello");
}

TEST_F(BlobStoreTest, BlobsLiveInAFanOutDirectoryAndArePrivate) {
  ASSERT_TRUE(blobs_.Put("hello").ok());
  std::string path = blobs_.PathOf(kHelloDigest);
  EXPECT_EQ(path, dir_ + "/2c/" + kHelloDigest);
  EXPECT_EQ(ModeOf(path), 0600);
  EXPECT_EQ(ModeOf(dir_ + "/2c"), 0700);
}

TEST_F(BlobStoreTest, BinaryAndEmptyBlobs) {
  std::string binary = "\0\xff\x01PK\x03\x04"s + std::string(200000, 'z');
  auto digest = blobs_.Put(binary);
  ASSERT_TRUE(digest.ok());
  EXPECT_EQ(*digest, HexEncode(Sha256(binary)));
  EXPECT_EQ(*blobs_.Get(*digest), binary);

  auto empty = blobs_.Put("");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  auto read = blobs_.Get(*empty);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, "");
}

TEST_F(BlobStoreTest, PutIsIdempotent) {
  auto first = blobs_.Put("hello");
  auto second = blobs_.Put("hello");
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(*first, *second);
  EXPECT_EQ(FilesUnder(dir_), std::vector<std::string>{blobs_.PathOf(kHelloDigest)})
      << "one file, and no temp file left behind";
}

TEST_F(BlobStoreTest, ConcurrentPutsOfTheSameBlobAllSucceed) {
  std::string data(100000, 'c');
  std::vector<std::thread> threads;
  std::vector<Status> results(8);
  for (size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back([&, i] {
      for (int round = 0; round < 10 && results[i].ok(); ++round) {
        std::string blob = data + std::to_string(round);
        auto digest = blobs_.Put(blob);
        results[i] = digest.status();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (const Status& s : results) EXPECT_TRUE(s.ok()) << s.ToString();
  for (int round = 0; round < 10; ++round) {
    std::string blob = data + std::to_string(round);
    auto read = blobs_.Get(HexEncode(Sha256(blob)));
    ASSERT_TRUE(read.ok()) << read.status().ToString();
    EXPECT_EQ(*read, blob);
  }
  EXPECT_EQ(FilesUnder(dir_).size(), 10u) << "no temp file left behind";
}

TEST_F(BlobStoreTest, AbsentBlobIsNotFound) {
  auto data = blobs_.Get(std::string(64, 'a'));
  ASSERT_FALSE(data.ok());
  EXPECT_EQ(data.status().code(), Code::kNotFound);
}

TEST_F(BlobStoreTest, MalformedDigestsAreNotFoundAndTouchNothing) {
  ASSERT_TRUE(blobs_.Put("hello").ok());
  std::string upper = kHelloDigest;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const std::string& bad :
       {std::string(), std::string("2cf24dba"), std::string(kHelloDigest) + "0", upper,
        std::string(63, 'a') + "g", std::string("../../../../../../../../etc/passwd"),
        "../" + std::string(61, 'a'), std::string(kHelloDigest).replace(10, 1, "/")}) {
    SCOPED_TRACE(bad);
    auto data = blobs_.Get(bad);
    ASSERT_FALSE(data.ok());
    EXPECT_EQ(data.status().code(), Code::kNotFound);
    Status removed = blobs_.Remove(bad);
    EXPECT_EQ(removed.code(), Code::kNotFound);
  }
  EXPECT_TRUE(blobs_.Get(kHelloDigest).ok());
}

TEST_F(BlobStoreTest, RemoveDeletesTheBlob) {
  ASSERT_TRUE(blobs_.Put("hello").ok());
  ASSERT_TRUE(blobs_.Put("other").ok());
  EXPECT_TRUE(blobs_.Remove(kHelloDigest).ok());
  EXPECT_EQ(blobs_.Get(kHelloDigest).status().code(), Code::kNotFound);
  EXPECT_TRUE(blobs_.Get(HexEncode(Sha256("other"))).ok()) << "other blobs stay";
  EXPECT_TRUE(blobs_.Put("hello").ok()) << "a removed blob can be stored again";
  EXPECT_EQ(*blobs_.Get(kHelloDigest), "hello");
}

TEST_F(BlobStoreTest, RemovingAnAbsentBlobIsFine) {
  ASSERT_TRUE(blobs_.Put("hello").ok());
  ASSERT_TRUE(blobs_.Remove(kHelloDigest).ok());
  EXPECT_TRUE(blobs_.Remove(kHelloDigest).ok()) << "twice";
  EXPECT_TRUE(blobs_.Remove(std::string(64, 'f')).ok()) << "never stored, no fan-out dir either";
}

TEST_F(BlobStoreTest, BlobsSurviveANewStoreOnTheSameDirectory) {
  ASSERT_TRUE(blobs_.Put("hello").ok());
  BlobStore again(dir_);
  ASSERT_TRUE(again.Init().ok());
  EXPECT_EQ(*again.Get(kHelloDigest), "hello");
}

}  // namespace
}  // namespace lamina::store

namespace lamina::store {
namespace {

TEST(BlobStoreContains, TellsStoredFromAbsentAndMalformed) {
  test_util::ScopedTempDir dir;
  BlobStore blobs(dir.path() + "/blobs");
  ASSERT_TRUE(blobs.Init().ok());
  auto digest = blobs.Put("package");
  ASSERT_TRUE(digest.ok());
  EXPECT_TRUE(blobs.Contains(*digest));
  EXPECT_FALSE(blobs.Contains(std::string(64, 'a')));
  EXPECT_FALSE(blobs.Contains("../../etc/passwd"));
  ASSERT_TRUE(blobs.Remove(*digest).ok());
  EXPECT_FALSE(blobs.Contains(*digest));
}

}  // namespace
}  // namespace lamina::store
