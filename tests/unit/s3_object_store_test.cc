// S3's metadata store and object files: buckets, objects inline and in files, listings,
// multipart uploads, bucket configurations, reopening, and the files a write leaves behind.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/crypto.h"
#include "common/status.h"
#include "http/message.h"
#include "scoped_temp_dir.h"
#include "services/s3/object_files.h"
#include "services/s3/object_store.h"

namespace lamina::services::s3 {
namespace {

using test_util::ScopedTempDir;

// Writes `data` to a new file of `files` and places it.
StatusOr<Segment> PlaceBody(const ObjectFiles& files, std::string_view data) {
  ASSIGN_OR_RETURN(ObjectFiles::Writer writer, files.NewWriter());
  RETURN_IF_ERROR(writer.Write(data));
  return writer.Place();
}

// Everything a body source has left, read in small pieces (so that reads cross segments).
std::string ReadAll(http::BodySource& source) {
  std::string out;
  char buffer[7];
  for (;;) {
    size_t n = 0;
    Status s = source.Read(buffer, sizeof buffer, n);
    EXPECT_TRUE(s.ok()) << s.ToString();
    if (!s.ok() || n == 0) break;
    out.append(buffer, n);
  }
  return out;
}

std::vector<std::string> FilesIn(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    names.push_back(entry.path().filename().string());
  }
  return names;
}

void ExpectError(const Status& s, Code code, const char* aws_type) {
  ASSERT_FALSE(s.ok()) << "expected " << aws_type;
  EXPECT_EQ(s.code(), code) << s.ToString();
  EXPECT_EQ(s.aws_type(), aws_type) << s.ToString();
}

ObjectInfo InlineObject(const std::string& key, const std::string& body,
                        const std::string& bucket = "b") {
  ObjectInfo o;
  o.bucket = bucket;
  o.key = key;
  o.size = body.size();
  o.etag = HexEncode(Md5(body));
  o.modified_ms = 5000;
  o.inline_body = body;
  return o;
}

ObjectInfo FileObject(const std::string& key, const Segment& segment, const std::string& body) {
  ObjectInfo o;
  o.bucket = "b";
  o.key = key;
  o.size = body.size();
  o.etag = HexEncode(Md5(body));
  o.modified_ms = 6000;
  o.segments = {segment};
  return o;
}

UploadInfo NewUpload(const std::string& upload_id, const std::string& key,
                     int64_t initiated_ms = 2000) {
  UploadInfo u;
  u.upload_id = upload_id;
  u.bucket = "b";
  u.key = key;
  u.initiated_ms = initiated_ms;
  return u;
}

class ObjectStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Reopen();
    ASSERT_NE(store_, nullptr);
    Status s = store_->CreateBucket(BucketInfo{"b", "us-east-1", 1000});
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  // Closes the store and opens it again, as a restart does.
  void Reopen() {
    store_.reset();
    auto opened = ObjectStore::Open(dir_.path());
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }

  Status Put(ObjectInfo object) {
    auto done = std::make_shared<std::promise<Status>>();
    std::future<Status> result = done->get_future();
    store_->PutObject(std::move(object), [done](Status s) { done->set_value(std::move(s)); });
    return result.get();
  }

  std::optional<ObjectInfo> Get(const std::string& key, bool with_body = true) {
    auto got = store_->GetObject("b", key, with_body);
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    if (!got.ok()) return std::nullopt;
    return std::move(got).value();
  }

  std::vector<std::string> Keys(const std::string& prefix, const std::string& after,
                                int limit = 1000) {
    auto listed = store_->ListObjects("b", prefix, after, limit);
    EXPECT_TRUE(listed.ok()) << listed.status().ToString();
    std::vector<std::string> keys;
    if (listed.ok()) {
      for (const ObjectEntry& e : *listed) keys.push_back(e.key);
    }
    return keys;
  }

  // Places `data` in a file and stores it as part `number` of `upload_id`.
  StatusOr<PartInfo> UploadPart(const std::string& upload_id, int number, const std::string& data) {
    ASSIGN_OR_RETURN(Segment segment, PlaceBody(store_->files(), data));
    PartInfo part{number, data.size(), HexEncode(Md5(data)), 3000, segment};
    auto done = std::make_shared<std::promise<Status>>();
    std::future<Status> result = done->get_future();
    store_->PutPart(upload_id, part, [done](Status s) { done->set_value(std::move(s)); });
    RETURN_IF_ERROR(result.get());
    return part;
  }

  StatusOr<ObjectInfo> Complete(const UploadInfo& upload, std::vector<CompletedPart> parts) {
    auto done = std::make_shared<std::promise<StatusOr<ObjectInfo>>>();
    std::future<StatusOr<ObjectInfo>> result = done->get_future();
    store_->CompleteUpload(upload, std::move(parts), 7000, [done](StatusOr<ObjectInfo> object) {
      done->set_value(std::move(object));
    });
    return result.get();
  }

  bool FileExists(const Segment& segment) {
    return ::access(store_->files().PathOf(segment.file).c_str(), F_OK) == 0;
  }

  ScopedTempDir dir_;
  std::unique_ptr<ObjectStore> store_;
};

// --- buckets ---------------------------------------------------------------------------------

TEST_F(ObjectStoreTest, CreatingABucketTwiceIsBucketAlreadyOwnedByYou) {
  ExpectError(store_->CreateBucket(BucketInfo{"b", "us-east-1", 2000}), Code::kAlreadyExists,
              "BucketAlreadyOwnedByYou");
  auto bucket = store_->GetBucket("b");
  ASSERT_TRUE(bucket.ok()) << bucket.status().ToString();
  ASSERT_TRUE(bucket->has_value());
  EXPECT_EQ((*bucket)->name, "b");
  EXPECT_EQ((*bucket)->region, "us-east-1");
  EXPECT_EQ((*bucket)->created_ms, 1000) << "the first creation stands";
}

TEST_F(ObjectStoreTest, ListsAndDeletesBuckets) {
  ASSERT_TRUE(store_->CreateBucket(BucketInfo{"a-first", "eu-west-1", 3000}).ok());
  auto buckets = store_->ListBuckets();
  ASSERT_TRUE(buckets.ok()) << buckets.status().ToString();
  ASSERT_EQ(buckets->size(), 2u);
  EXPECT_EQ((*buckets)[0].name, "a-first");
  EXPECT_EQ((*buckets)[0].region, "eu-west-1");
  EXPECT_EQ((*buckets)[1].name, "b");

  Status s = store_->DeleteBucket("a-first");
  ASSERT_TRUE(s.ok()) << s.ToString();
  auto gone = store_->GetBucket("a-first");
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(gone->has_value());
  ExpectError(store_->DeleteBucket("a-first"), Code::kNotFound, "NoSuchBucket");
}

TEST_F(ObjectStoreTest, DeletingANonEmptyBucketIsBucketNotEmpty) {
  ASSERT_TRUE(Put(InlineObject("k", "v")).ok());
  ExpectError(store_->DeleteBucket("b"), Code::kConflict, "BucketNotEmpty");
  ASSERT_TRUE(store_->DeleteObjects("b", {"k"}).ok());
  Status s = store_->DeleteBucket("b");
  EXPECT_TRUE(s.ok()) << s.ToString();
}

// --- objects ---------------------------------------------------------------------------------

TEST_F(ObjectStoreTest, PutsAndGetsAnInlineObject) {
  ObjectInfo object = InlineObject("dir/k", "hello");
  object.headers = {{"Content-Type", "text/plain"}, {"x-amz-meta-colour", "blue"}};
  object.tags = {{"team", "core"}, {"empty", ""}};
  Status s = Put(object);
  ASSERT_TRUE(s.ok()) << s.ToString();

  std::optional<ObjectInfo> head = Get("dir/k", /*with_body=*/false);
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->bucket, "b");
  EXPECT_EQ(head->key, "dir/k");
  EXPECT_EQ(head->size, 5u);
  EXPECT_EQ(head->etag, "5d41402abc4b2a76b9719d911017c592");
  EXPECT_EQ(head->modified_ms, 5000);
  EXPECT_EQ(head->headers, object.headers);
  EXPECT_EQ(head->tags, object.tags);
  EXPECT_EQ(head->inline_body, "") << "no body without with_body";
  EXPECT_TRUE(head->segments.empty());
  EXPECT_EQ(head->parts, 0);

  std::optional<ObjectInfo> got = Get("dir/k", /*with_body=*/true);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->inline_body, "hello");

  EXPECT_FALSE(Get("dir/missing").has_value());
  EXPECT_FALSE(Get("dir").has_value());
}

TEST_F(ObjectStoreTest, KeepsBinaryKeysAndBodies) {
  std::string key("nul\0key\xff", 8);
  std::string body("\0\1\2\xff", 4);
  ASSERT_TRUE(Put(InlineObject(key, body)).ok());
  std::optional<ObjectInfo> got = Get(key);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->key, key);
  EXPECT_EQ(got->inline_body, body);
}

TEST_F(ObjectStoreTest, APutReplacesTheObject) {
  ObjectInfo first = InlineObject("k", "first");
  first.headers = {{"Content-Type", "text/plain"}};
  first.tags = {{"a", "1"}};
  ASSERT_TRUE(Put(first).ok());
  ASSERT_TRUE(Put(InlineObject("k", "second body")).ok());

  std::optional<ObjectInfo> got = Get("k");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->inline_body, "second body");
  EXPECT_EQ(got->size, 11u);
  EXPECT_EQ(got->etag, HexEncode(Md5("second body")));
  EXPECT_TRUE(got->headers.empty());
  EXPECT_TRUE(got->tags.empty());
  EXPECT_EQ(Keys("", ""), std::vector<std::string>{"k"});
}

TEST_F(ObjectStoreTest, PuttingIntoAMissingBucketIsNoSuchBucket) {
  ExpectError(Put(InlineObject("k", "v", "nope")), Code::kNotFound, "NoSuchBucket");

  // A file-backed body of a write that failed is removed.
  auto segment = PlaceBody(store_->files(), "orphan");
  ASSERT_TRUE(segment.ok()) << segment.status().ToString();
  ObjectInfo object = FileObject("k", *segment, "orphan");
  object.bucket = "nope";
  ExpectError(Put(object), Code::kNotFound, "NoSuchBucket");
  EXPECT_FALSE(FileExists(*segment));
}

TEST_F(ObjectStoreTest, DeleteObjectsTellsWhichExisted) {
  ASSERT_TRUE(Put(InlineObject("a", "1")).ok());
  ASSERT_TRUE(Put(InlineObject("b", "2")).ok());
  ASSERT_TRUE(Put(InlineObject("c", "3")).ok());

  std::vector<bool> existed;
  Status s = store_->DeleteObjects("b", {"a", "missing", "b"}, &existed);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(existed, (std::vector<bool>{true, false, true}));
  EXPECT_FALSE(Get("a").has_value());
  EXPECT_FALSE(Get("b").has_value());
  EXPECT_TRUE(Get("c").has_value());

  s = store_->DeleteObjects("b", {"a"}, &existed);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(existed, std::vector<bool>{false});

  ExpectError(store_->DeleteObjects("nope", {"a"}), Code::kNotFound, "NoSuchBucket");
}

TEST_F(ObjectStoreTest, PutTagsReplacesAnObjectsTags) {
  ObjectInfo object = InlineObject("k", "v");
  object.tags = {{"a", "1"}};
  ASSERT_TRUE(Put(object).ok());
  Status s = store_->PutTags("b", "k", {{"b", "2"}, {"c", "3"}});
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::optional<ObjectInfo> got = Get("k");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->tags, (TagSet{{"b", "2"}, {"c", "3"}}));
  EXPECT_EQ(got->inline_body, "v");

  ExpectError(store_->PutTags("b", "missing", {}), Code::kNotFound, "NoSuchKey");
  ExpectError(store_->PutTags("nope", "k", {}), Code::kNotFound, "NoSuchBucket");
}

// --- listing ---------------------------------------------------------------------------------

TEST_F(ObjectStoreTest, ListsKeysInByteOrder) {
  for (const char* key : {"b", "a/b", "a", "B", "a/c", "\xc3\xa9t\xc3\xa9", "a0"}) {
    ASSERT_TRUE(Put(InlineObject(key, key)).ok()) << key;
  }
  EXPECT_EQ(Keys("", ""),
            (std::vector<std::string>{"B", "a", "a/b", "a/c", "a0", "b", "\xc3\xa9t\xc3\xa9"}));

  auto listed = store_->ListObjects("b", "a/", "", 10);
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].key, "a/b");
  EXPECT_EQ((*listed)[0].size, 3u);
  EXPECT_EQ((*listed)[0].etag, HexEncode(Md5("a/b")));
  EXPECT_EQ((*listed)[0].modified_ms, 5000);
}

TEST_F(ObjectStoreTest, ListsByPrefixAfterAKeyUpToALimit) {
  for (const char* key : {"b", "a/b", "a", "a/c", "a0", "c"}) {
    ASSERT_TRUE(Put(InlineObject(key, "x")).ok()) << key;
  }
  EXPECT_EQ(Keys("a", ""), (std::vector<std::string>{"a", "a/b", "a/c", "a0"}));
  EXPECT_EQ(Keys("a/", ""), (std::vector<std::string>{"a/b", "a/c"}));
  EXPECT_TRUE(Keys("z", "").empty());

  // `after` is exclusive, and need not be a key.
  EXPECT_EQ(Keys("", "a"), (std::vector<std::string>{"a/b", "a/c", "a0", "b", "c"}));
  EXPECT_EQ(Keys("", "a/bb"), (std::vector<std::string>{"a/c", "a0", "b", "c"}));
  EXPECT_EQ(Keys("a/", "a/b"), std::vector<std::string>{"a/c"});
  EXPECT_TRUE(Keys("", "c").empty());

  // Pages.
  EXPECT_EQ(Keys("", "", 2), (std::vector<std::string>{"a", "a/b"}));
  EXPECT_EQ(Keys("", "a/b", 2), (std::vector<std::string>{"a/c", "a0"}));
  EXPECT_EQ(Keys("", "a0", 2), (std::vector<std::string>{"b", "c"}));
  EXPECT_TRUE(Keys("", "c", 2).empty());
}

TEST_F(ObjectStoreTest, ListingOneBucketShowsNoOther) {
  ASSERT_TRUE(store_->CreateBucket(BucketInfo{"other", "us-east-1", 1000}).ok());
  ASSERT_TRUE(Put(InlineObject("mine", "1")).ok());
  ASSERT_TRUE(Put(InlineObject("theirs", "2", "other")).ok());
  EXPECT_EQ(Keys("", ""), std::vector<std::string>{"mine"});
}

// --- file-backed objects ---------------------------------------------------------------------

TEST_F(ObjectStoreTest, StoresAndReadsAFileBackedObject) {
  std::string body = "0123456789abcdefghij";
  auto segment = PlaceBody(store_->files(), body);
  ASSERT_TRUE(segment.ok()) << segment.status().ToString();
  EXPECT_EQ(segment->size, body.size());
  EXPECT_TRUE(FileExists(*segment));
  ASSERT_TRUE(Put(FileObject("big", *segment, body)).ok());

  std::optional<ObjectInfo> got = Get("big");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->size, body.size());
  EXPECT_EQ(got->inline_body, "");
  ASSERT_EQ(got->segments.size(), 1u);
  EXPECT_EQ(got->segments[0].file, segment->file);
  EXPECT_EQ(got->segments[0].size, body.size());

  std::string whole;
  Status s = store_->files().ReadInto(got->segments, 0, got->size, whole);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(whole, body);

  std::string range = "prefix:";
  s = store_->files().ReadInto(got->segments, 3, 5, range);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(range, "prefix:34567") << "ReadInto appends";

  auto source = store_->files().Read(got->segments, 10, 7);
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  EXPECT_EQ((*source)->size(), 7u);
  EXPECT_EQ(ReadAll(**source), "abcdefg");
}

TEST_F(ObjectStoreTest, ReplacingAFileBackedObjectRemovesItsOldFile) {
  auto old_segment = PlaceBody(store_->files(), "old body");
  ASSERT_TRUE(old_segment.ok());
  ASSERT_TRUE(Put(FileObject("k", *old_segment, "old body")).ok());
  ASSERT_TRUE(FileExists(*old_segment));

  // A reader that opened the old body before the overwrite still reads all of it.
  auto reader = store_->files().Read({*old_segment}, 0, 8);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();

  auto new_segment = PlaceBody(store_->files(), "new body");
  ASSERT_TRUE(new_segment.ok());
  ASSERT_TRUE(Put(FileObject("k", *new_segment, "new body")).ok());
  EXPECT_FALSE(FileExists(*old_segment));
  EXPECT_TRUE(FileExists(*new_segment));
  EXPECT_EQ(ReadAll(**reader), "old body");

  // A new read of the old segments finds them gone.
  auto stale = store_->files().Read({*old_segment}, 0, 8);
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.status().code(), Code::kNotFound);

  // Replaced by an inline object, the file goes too.
  ASSERT_TRUE(Put(InlineObject("k", "small")).ok());
  EXPECT_FALSE(FileExists(*new_segment));
  std::optional<ObjectInfo> got = Get("k");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->inline_body, "small");
  EXPECT_TRUE(got->segments.empty());
}

TEST_F(ObjectStoreTest, DeletingAFileBackedObjectRemovesItsFile) {
  auto segment = PlaceBody(store_->files(), "body");
  ASSERT_TRUE(segment.ok());
  ASSERT_TRUE(Put(FileObject("k", *segment, "body")).ok());
  std::vector<bool> existed;
  ASSERT_TRUE(store_->DeleteObjects("b", {"k"}, &existed).ok());
  EXPECT_EQ(existed, std::vector<bool>{true});
  EXPECT_FALSE(FileExists(*segment));
}

// --- multipart uploads -----------------------------------------------------------------------

TEST_F(ObjectStoreTest, CompletesAMultipartUpload) {
  UploadInfo upload = NewUpload("upload-1", "big/object");
  upload.headers = {{"Content-Type", "application/octet-stream"}, {"x-amz-meta-a", "1"}};
  upload.tags = {{"team", "core"}};
  ASSERT_TRUE(store_->CreateUpload(upload).ok());

  auto found = store_->GetUpload("b", "big/object", "upload-1");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->initiated_ms, 2000);
  EXPECT_EQ((*found)->headers, upload.headers);
  EXPECT_EQ((*found)->tags, upload.tags);
  auto elsewhere = store_->GetUpload("b", "other/key", "upload-1");
  ASSERT_TRUE(elsewhere.ok());
  EXPECT_FALSE(elsewhere->has_value()) << "an upload belongs to its key";

  std::string data1(kMinPartSize, '1');
  std::string data2(kMinPartSize, '2');
  std::string data3 = "the last part may be small";
  auto p1 = UploadPart("upload-1", 1, data1);
  auto p2 = UploadPart("upload-1", 2, data2);
  auto p3 = UploadPart("upload-1", 3, data3);
  auto unused = UploadPart("upload-1", 4, "uploaded but not named");
  ASSERT_TRUE(p1.ok()) << p1.status().ToString();
  ASSERT_TRUE(p2.ok()) << p2.status().ToString();
  ASSERT_TRUE(p3.ok()) << p3.status().ToString();
  ASSERT_TRUE(unused.ok()) << unused.status().ToString();

  auto parts = store_->ListParts("upload-1", 0, 1000);
  ASSERT_TRUE(parts.ok()) << parts.status().ToString();
  ASSERT_EQ(parts->size(), 4u);
  EXPECT_EQ((*parts)[0].number, 1);
  EXPECT_EQ((*parts)[0].size, kMinPartSize);
  EXPECT_EQ((*parts)[0].etag, HexEncode(Md5(data1)));
  EXPECT_EQ((*parts)[0].segment.file, p1->segment.file);
  EXPECT_EQ((*parts)[2].size, data3.size());
  EXPECT_EQ((*parts)[3].number, 4);

  auto completed = Complete(upload, {{1, p1->etag}, {2, p2->etag}, {3, p3->etag}});
  ASSERT_TRUE(completed.ok()) << completed.status().ToString();
  // S3's multipart ETag: the MD5 of the parts' raw MD5s, then "-" and the number of parts.
  std::string expected_etag = HexEncode(Md5(Md5(data1) + Md5(data2) + Md5(data3))) + "-3";
  uint64_t expected_size = data1.size() + data2.size() + data3.size();
  EXPECT_EQ(completed->etag, expected_etag);
  EXPECT_EQ(completed->size, expected_size);
  EXPECT_EQ(completed->parts, 3);
  EXPECT_EQ(completed->segments.size(), 3u);
  EXPECT_EQ(completed->bucket, "b");
  EXPECT_EQ(completed->key, "big/object");

  std::optional<ObjectInfo> object = Get("big/object");
  ASSERT_TRUE(object.has_value());
  EXPECT_EQ(object->etag, expected_etag);
  EXPECT_EQ(object->size, expected_size);
  EXPECT_EQ(object->parts, 3);
  EXPECT_EQ(object->modified_ms, 7000);
  EXPECT_EQ(object->headers, upload.headers) << "the object gets its upload's headers";
  EXPECT_EQ(object->tags, upload.tags);
  ASSERT_EQ(object->segments.size(), 3u);
  EXPECT_EQ(object->segments[0].file, p1->segment.file);
  EXPECT_EQ(object->segments[1].file, p2->segment.file);
  EXPECT_EQ(object->segments[2].file, p3->segment.file);

  std::string whole;
  Status s = store_->files().ReadInto(object->segments, 0, object->size, whole);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(whole == data1 + data2 + data3) << "the body is the parts in order";
  std::string across;  // the last bytes of part 1 and the first of part 2
  s = store_->files().ReadInto(object->segments, kMinPartSize - 2, 4, across);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(across, "1122");
  auto tail = store_->files().Read(object->segments, 2 * kMinPartSize - 1, data3.size() + 1);
  ASSERT_TRUE(tail.ok()) << tail.status().ToString();
  EXPECT_EQ(ReadAll(**tail), "2" + data3);

  // The upload is over; the part it did not name is gone with it.
  EXPECT_FALSE(FileExists(unused->segment));
  EXPECT_TRUE(FileExists(p1->segment));
  found = store_->GetUpload("b", "big/object", "upload-1");
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
  parts = store_->ListParts("upload-1", 0, 1000);
  ASSERT_TRUE(parts.ok());
  EXPECT_TRUE(parts->empty());
  ExpectError(Complete(upload, {{1, p1->etag}, {2, p2->etag}, {3, p3->etag}}).status(),
              Code::kNotFound, "NoSuchUpload");
  ExpectError(UploadPart("upload-1", 5, "late").status(), Code::kNotFound, "NoSuchUpload");
}

TEST_F(ObjectStoreTest, CompletingOverAnObjectRemovesItsFiles) {
  auto segment = PlaceBody(store_->files(), "old");
  ASSERT_TRUE(segment.ok());
  ASSERT_TRUE(Put(FileObject("k", *segment, "old")).ok());

  UploadInfo upload = NewUpload("u", "k");
  ASSERT_TRUE(store_->CreateUpload(upload).ok());
  auto part = UploadPart("u", 1, "only part");
  ASSERT_TRUE(part.ok()) << part.status().ToString();
  auto completed = Complete(upload, {{1, part->etag}});
  ASSERT_TRUE(completed.ok()) << completed.status().ToString();
  EXPECT_EQ(completed->etag, HexEncode(Md5(Md5("only part"))) + "-1");
  EXPECT_FALSE(FileExists(*segment));
  EXPECT_TRUE(FileExists(part->segment));
}

TEST_F(ObjectStoreTest, CompletionChecksTheNamedParts) {
  UploadInfo upload = NewUpload("upload-e", "k");
  ASSERT_TRUE(store_->CreateUpload(upload).ok());
  auto p1 = UploadPart("upload-e", 1, std::string(kMinPartSize, 'x'));
  auto p2 = UploadPart("upload-e", 2, std::string(kMinPartSize, 'y'));
  auto p3 = UploadPart("upload-e", 3, "small");
  auto p4 = UploadPart("upload-e", 4, "also small");
  ASSERT_TRUE(p1.ok() && p2.ok() && p3.ok() && p4.ok());
  std::string wrong_etag(32, '0');

  ExpectError(Complete(upload, {{1, p1->etag}, {2, wrong_etag}, {3, p3->etag}}).status(),
              Code::kInvalidArgument, "InvalidPart");
  ExpectError(Complete(upload, {{1, p1->etag}, {5, p3->etag}}).status(), Code::kInvalidArgument,
              "InvalidPart");
  ExpectError(Complete(upload, {{2, p2->etag}, {1, p1->etag}}).status(), Code::kInvalidArgument,
              "InvalidPartOrder");
  ExpectError(Complete(upload, {{1, p1->etag}, {1, p1->etag}}).status(), Code::kInvalidArgument,
              "InvalidPartOrder");
  ExpectError(Complete(upload, {{1, p1->etag}, {3, p3->etag}, {4, p4->etag}}).status(),
              Code::kInvalidArgument, "EntityTooSmall");
  EXPECT_FALSE(Get("k").has_value());

  // A refused completion leaves the upload as it was.
  auto parts = store_->ListParts("upload-e", 0, 1000);
  ASSERT_TRUE(parts.ok());
  EXPECT_EQ(parts->size(), 4u);
  auto completed = Complete(upload, {{1, p1->etag}, {2, p2->etag}, {4, p4->etag}});
  ASSERT_TRUE(completed.ok()) << completed.status().ToString();
  EXPECT_EQ(completed->size, 2 * kMinPartSize + 10);
  EXPECT_FALSE(FileExists(p3->segment));
}

TEST_F(ObjectStoreTest, APartReplacesOneOfTheSameNumber) {
  ASSERT_TRUE(store_->CreateUpload(NewUpload("u", "k")).ok());
  auto first = UploadPart("u", 1, "first");
  auto second = UploadPart("u", 1, "second");
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_FALSE(FileExists(first->segment));
  EXPECT_TRUE(FileExists(second->segment));
  auto parts = store_->ListParts("u", 0, 1000);
  ASSERT_TRUE(parts.ok());
  ASSERT_EQ(parts->size(), 1u);
  EXPECT_EQ((*parts)[0].etag, HexEncode(Md5("second")));
  EXPECT_EQ((*parts)[0].size, 6u);
}

TEST_F(ObjectStoreTest, APartForAMissingUploadIsNoSuchUploadAndItsFileIsRemoved) {
  auto segment = PlaceBody(store_->files(), "lost");
  ASSERT_TRUE(segment.ok());
  PartInfo part{1, 4, HexEncode(Md5("lost")), 3000, *segment};
  auto done = std::make_shared<std::promise<Status>>();
  std::future<Status> result = done->get_future();
  store_->PutPart("no-such-upload", part, [done](Status s) { done->set_value(std::move(s)); });
  ExpectError(result.get(), Code::kNotFound, "NoSuchUpload");
  EXPECT_FALSE(FileExists(*segment));
}

TEST_F(ObjectStoreTest, ListsPartsInPages) {
  ASSERT_TRUE(store_->CreateUpload(NewUpload("u", "k")).ok());
  for (int n : {3, 1, 2, 5}) ASSERT_TRUE(UploadPart("u", n, "part " + std::to_string(n)).ok());
  auto numbers = [&](int after, int limit) {
    std::vector<int> out;
    auto parts = store_->ListParts("u", after, limit);
    EXPECT_TRUE(parts.ok()) << parts.status().ToString();
    if (parts.ok()) {
      for (const PartInfo& p : *parts) out.push_back(p.number);
    }
    return out;
  };
  EXPECT_EQ(numbers(0, 1000), (std::vector<int>{1, 2, 3, 5}));
  EXPECT_EQ(numbers(0, 2), (std::vector<int>{1, 2}));
  EXPECT_EQ(numbers(2, 2), (std::vector<int>{3, 5}));
  EXPECT_TRUE(numbers(5, 2).empty());
}

TEST_F(ObjectStoreTest, AbortingAnUploadRemovesItsParts) {
  ASSERT_TRUE(store_->CreateUpload(NewUpload("u", "k")).ok());
  auto p1 = UploadPart("u", 1, "one");
  auto p2 = UploadPart("u", 2, "two");
  ASSERT_TRUE(p1.ok() && p2.ok());
  ASSERT_TRUE(FileExists(p1->segment));

  ExpectError(store_->AbortUpload("b", "other-key", "u"), Code::kNotFound, "NoSuchUpload");
  Status s = store_->AbortUpload("b", "k", "u");
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_FALSE(FileExists(p1->segment));
  EXPECT_FALSE(FileExists(p2->segment));
  auto found = store_->GetUpload("b", "k", "u");
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
  auto parts = store_->ListParts("u", 0, 1000);
  ASSERT_TRUE(parts.ok());
  EXPECT_TRUE(parts->empty());
  ExpectError(store_->AbortUpload("b", "k", "u"), Code::kNotFound, "NoSuchUpload");
}

TEST_F(ObjectStoreTest, CreatingAnUploadInAMissingBucketIsNoSuchBucket) {
  UploadInfo upload = NewUpload("u", "k");
  upload.bucket = "nope";
  ExpectError(store_->CreateUpload(upload), Code::kNotFound, "NoSuchBucket");
}

TEST_F(ObjectStoreTest, ListsUploadsInPages) {
  ASSERT_TRUE(store_->CreateBucket(BucketInfo{"other", "us-east-1", 1000}).ok());
  ASSERT_TRUE(store_->CreateUpload(NewUpload("u3", "b", 3000)).ok());
  ASSERT_TRUE(store_->CreateUpload(NewUpload("u1", "a", 1000)).ok());
  ASSERT_TRUE(store_->CreateUpload(NewUpload("u4", "c/d", 4000)).ok());
  ASSERT_TRUE(store_->CreateUpload(NewUpload("u2", "a", 2000)).ok());
  UploadInfo elsewhere = NewUpload("u5", "a", 5000);
  elsewhere.bucket = "other";
  ASSERT_TRUE(store_->CreateUpload(elsewhere).ok());

  auto ids = [&](const std::string& prefix, const std::string& after_key,
                 const std::string& after_id, int limit) {
    std::vector<std::string> out;
    auto uploads = store_->ListUploads("b", prefix, after_key, after_id, limit);
    EXPECT_TRUE(uploads.ok()) << uploads.status().ToString();
    if (uploads.ok()) {
      for (const UploadInfo& u : *uploads) out.push_back(u.upload_id);
    }
    return out;
  };
  EXPECT_EQ(ids("", "", "", 1000), (std::vector<std::string>{"u1", "u2", "u3", "u4"}));
  EXPECT_EQ(ids("", "", "", 2), (std::vector<std::string>{"u1", "u2"}));
  EXPECT_EQ(ids("", "a", "u2", 2), (std::vector<std::string>{"u3", "u4"}));
  EXPECT_TRUE(ids("", "c/d", "u4", 2).empty());
  EXPECT_EQ(ids("", "a", "u1", 1000), (std::vector<std::string>{"u2", "u3", "u4"}));
  EXPECT_EQ(ids("c/", "", "", 1000), std::vector<std::string>{"u4"});
  EXPECT_EQ(ids("a", "", "", 1000), (std::vector<std::string>{"u1", "u2"}));

  auto uploads = store_->ListUploads("b", "c/", "", "", 10);
  ASSERT_TRUE(uploads.ok());
  ASSERT_EQ(uploads->size(), 1u);
  EXPECT_EQ((*uploads)[0].bucket, "b");
  EXPECT_EQ((*uploads)[0].key, "c/d");
  EXPECT_EQ((*uploads)[0].initiated_ms, 4000);
}

TEST_F(ObjectStoreTest, DeletingABucketEndsItsUploads) {
  ASSERT_TRUE(store_->CreateBucket(BucketInfo{"doomed", "us-east-1", 1000}).ok());
  UploadInfo upload = NewUpload("u", "k");
  upload.bucket = "doomed";
  ASSERT_TRUE(store_->CreateUpload(upload).ok());
  auto part = UploadPart("u", 1, "part");
  ASSERT_TRUE(part.ok()) << part.status().ToString();

  Status s = store_->DeleteBucket("doomed");
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_FALSE(FileExists(part->segment));
  auto parts = store_->ListParts("u", 0, 1000);
  ASSERT_TRUE(parts.ok());
  EXPECT_TRUE(parts->empty());
}

// --- bucket configurations -------------------------------------------------------------------

TEST_F(ObjectStoreTest, StoresReplacesAndDeletesConfigurations) {
  auto config = store_->GetConfig("b", "policy");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_FALSE(config->has_value());

  ASSERT_TRUE(store_->PutConfig("b", "policy", std::string("{\"Version\":\"2012-10-17\"}")).ok());
  ASSERT_TRUE(store_->PutConfig("b", "tagging", std::string("<Tagging/>")).ok());
  config = store_->GetConfig("b", "policy");
  ASSERT_TRUE(config.ok());
  ASSERT_TRUE(config->has_value());
  EXPECT_EQ(**config, "{\"Version\":\"2012-10-17\"}");

  ASSERT_TRUE(store_->PutConfig("b", "policy", std::string("{}")).ok());
  config = store_->GetConfig("b", "policy");
  ASSERT_TRUE(config.ok() && config->has_value());
  EXPECT_EQ(**config, "{}");

  ASSERT_TRUE(store_->PutConfig("b", "policy", std::nullopt).ok());
  config = store_->GetConfig("b", "policy");
  ASSERT_TRUE(config.ok());
  EXPECT_FALSE(config->has_value());
  config = store_->GetConfig("b", "tagging");
  ASSERT_TRUE(config.ok() && config->has_value()) << "other kinds stay";
  EXPECT_EQ(**config, "<Tagging/>");

  ExpectError(store_->PutConfig("nope", "policy", std::string("{}")), Code::kNotFound,
              "NoSuchBucket");
}

TEST_F(ObjectStoreTest, ABucketsConfigurationsGoWithIt) {
  ASSERT_TRUE(store_->PutConfig("b", "notification", std::string("<x/>")).ok());
  ASSERT_TRUE(store_->DeleteBucket("b").ok());
  ASSERT_TRUE(store_->CreateBucket(BucketInfo{"b", "us-east-1", 9000}).ok());
  auto config = store_->GetConfig("b", "notification");
  ASSERT_TRUE(config.ok());
  EXPECT_FALSE(config->has_value());
}

// --- restarts --------------------------------------------------------------------------------

TEST_F(ObjectStoreTest, EverythingSurvivesReopening) {
  ObjectInfo small = InlineObject("small", "inline body");
  small.headers = {{"Content-Type", "text/plain"}};
  ASSERT_TRUE(Put(small).ok());
  auto segment = PlaceBody(store_->files(), "file body");
  ASSERT_TRUE(segment.ok());
  ASSERT_TRUE(Put(FileObject("large", *segment, "file body")).ok());
  ASSERT_TRUE(store_->CreateUpload(NewUpload("u", "pending")).ok());
  auto part = UploadPart("u", 1, "part body");
  ASSERT_TRUE(part.ok());
  ASSERT_TRUE(store_->PutConfig("b", "policy", std::string("{}")).ok());

  Reopen();
  ASSERT_NE(store_, nullptr);

  auto bucket = store_->GetBucket("b");
  ASSERT_TRUE(bucket.ok() && bucket->has_value());
  std::optional<ObjectInfo> got = Get("small");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->inline_body, "inline body");
  EXPECT_EQ(got->headers, small.headers);
  got = Get("large");
  ASSERT_TRUE(got.has_value());
  std::string body;
  Status s = store_->files().ReadInto(got->segments, 0, got->size, body);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(body, "file body");
  EXPECT_EQ(Keys("", ""), (std::vector<std::string>{"large", "small"}));

  auto upload = store_->GetUpload("b", "pending", "u");
  ASSERT_TRUE(upload.ok() && upload->has_value());
  auto parts = store_->ListParts("u", 0, 1000);
  ASSERT_TRUE(parts.ok());
  ASSERT_EQ(parts->size(), 1u);
  EXPECT_TRUE(FileExists((*parts)[0].segment));
  auto config = store_->GetConfig("b", "policy");
  ASSERT_TRUE(config.ok() && config->has_value());
}

TEST_F(ObjectStoreTest, OpeningRemovesTheTempFilesOfInterruptedUploads) {
  auto placed = PlaceBody(store_->files(), "placed body");
  ASSERT_TRUE(placed.ok()) << placed.status().ToString();
  // What a crash in the middle of an upload leaves: a temp file nobody will place.
  std::string tmp = dir_.Join("tmp");
  {
    std::ofstream out(tmp + "/interrupted-upload");
    out << "partial body";
  }
  ASSERT_EQ(FilesIn(tmp).size(), 1u);

  Reopen();
  ASSERT_NE(store_, nullptr);
  EXPECT_TRUE(FilesIn(tmp).empty());
  EXPECT_TRUE(FileExists(*placed)) << "placed files are not temp files";
}

// --- ObjectFiles -----------------------------------------------------------------------------

class ObjectFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Status s = files_.Init();
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  ScopedTempDir dir_;
  ObjectFiles files_{dir_.path()};
};

TEST_F(ObjectFilesTest, InitRemovesLeftoverTempFiles) {
  std::string tmp = dir_.Join("tmp");
  for (const char* name : {"left-by-a-crash", "another"}) {
    std::ofstream out(tmp + "/" + name);
    out << "partial";
  }
  ASSERT_EQ(FilesIn(tmp).size(), 2u);
  Status s = files_.Init();
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(FilesIn(tmp).empty());
}

TEST_F(ObjectFilesTest, AnUnplacedWriterLeavesNothing) {
  {
    auto writer = files_.NewWriter();
    ASSERT_TRUE(writer.ok()) << writer.status().ToString();
    ASSERT_TRUE(writer->Write("abandoned").ok());
    EXPECT_EQ(writer->size(), 9u);
    EXPECT_EQ(FilesIn(dir_.Join("tmp")).size(), 1u);
  }
  EXPECT_TRUE(FilesIn(dir_.Join("tmp")).empty());
}

TEST_F(ObjectFilesTest, PlacedFilesLiveUnderObjects) {
  auto segment = PlaceBody(files_, "hello");
  ASSERT_TRUE(segment.ok()) << segment.status().ToString();
  EXPECT_EQ(segment->size, 5u);
  std::string path = files_.PathOf(segment->file);
  EXPECT_EQ(path.rfind(dir_.path() + "/objects/" + segment->file.substr(0, 2) + "/", 0), 0u)
      << path;
  EXPECT_EQ(::access(path.c_str(), F_OK), 0) << path;
  EXPECT_TRUE(FilesIn(dir_.Join("tmp")).empty());

  files_.Remove({*segment});
  EXPECT_NE(::access(path.c_str(), F_OK), 0) << path;
  files_.Remove({*segment});  // already gone: nothing to do
}

TEST_F(ObjectFilesTest, ReadsAcrossSegments) {
  auto hello = PlaceBody(files_, "hello");
  auto world = PlaceBody(files_, "world");
  auto bang = PlaceBody(files_, "!");
  ASSERT_TRUE(hello.ok() && world.ok() && bang.ok());
  std::vector<Segment> segments = {*hello, *world, *bang};

  std::string out;
  ASSERT_TRUE(files_.ReadInto(segments, 0, 11, out).ok());
  EXPECT_EQ(out, "helloworld!");
  out.clear();
  ASSERT_TRUE(files_.ReadInto(segments, 3, 5, out).ok());
  EXPECT_EQ(out, "lowor");
  out.clear();
  ASSERT_TRUE(files_.ReadInto(segments, 5, 6, out).ok());
  EXPECT_EQ(out, "world!");

  auto source = files_.Read(segments, 4, 7);
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  EXPECT_EQ((*source)->size(), 7u);
  EXPECT_EQ(ReadAll(**source), "oworld!");

  auto empty = files_.Read(segments, 11, 0);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(ReadAll(**empty), "");
}

TEST_F(ObjectFilesTest, ReadingAMissingFileIsNotFound) {
  auto hello = PlaceBody(files_, "hello");
  ASSERT_TRUE(hello.ok());
  files_.Remove({*hello});
  auto source = files_.Read({*hello}, 0, 5);
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.status().code(), Code::kNotFound);
  std::string out;
  EXPECT_EQ(files_.ReadInto({*hello}, 0, 5, out).code(), Code::kNotFound);
}

TEST_F(ObjectFilesTest, ALinkSharesTheBytesUnderAnotherName) {
  auto original = PlaceBody(files_, "shared bytes");
  ASSERT_TRUE(original.ok());
  auto link = files_.Link(*original);
  ASSERT_TRUE(link.ok()) << link.status().ToString();
  EXPECT_NE(link->file, original->file);
  EXPECT_EQ(link->size, original->size);
  files_.Remove({*original});
  std::string out;
  ASSERT_TRUE(files_.ReadInto({*link}, 0, link->size, out).ok());
  EXPECT_EQ(out, "shared bytes");
}

}  // namespace
}  // namespace lamina::services::s3
