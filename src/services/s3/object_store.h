// S3's metadata: buckets, their configurations, objects and multipart uploads, in
// `<dir>/s3.db` (SQLite, WAL, synchronous=FULL). Small object bodies live in their row; larger
// ones in files (object_files.h) that the row names.
//
// Writes are group-committed (store/group_commit.h) and report through `done` on the writer
// thread once durable; their checks ("the bucket exists", "the upload's parts match") run inside
// the write's transaction, so they hold at commit. Reads may run on any thread. Files that a
// committed write replaced or dropped are removed after the commit. Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "services/s3/object_files.h"
#include "store/group_commit.h"

namespace lamina::services::s3 {

using HeaderList = std::vector<std::pair<std::string, std::string>>;
using TagSet = std::vector<std::pair<std::string, std::string>>;

struct BucketInfo {
  std::string name;
  std::string region;
  int64_t created_ms = 0;
};

struct ObjectInfo {
  std::string bucket;
  std::string key;
  uint64_t size = 0;
  std::string etag;  // without quotes: MD5 hex, or "<hex>-<parts>" for a multipart upload
  int64_t modified_ms = 0;
  // What GET and HEAD return as stored: Content-Type and the other content headers, x-amz-meta-*.
  HeaderList headers;
  TagSet tags;
  // The body: inline (small objects) or the segments' files, in order.
  std::string inline_body;
  std::vector<Segment> segments;
  int parts = 0;  // multipart: how many parts it was completed from
};

// A listing's row: an object without its body, headers or tags.
struct ObjectEntry {
  std::string key;
  uint64_t size = 0;
  std::string etag;
  int64_t modified_ms = 0;
  std::string storage_class;
};

struct UploadInfo {
  std::string upload_id;
  std::string bucket;
  std::string key;
  int64_t initiated_ms = 0;
  HeaderList headers;  // of the object it will become
  TagSet tags;
};

struct PartInfo {
  int number = 0;
  uint64_t size = 0;
  std::string etag;  // MD5 hex, without quotes
  int64_t modified_ms = 0;
  Segment segment;
};

// A part as CompleteMultipartUpload names it.
struct CompletedPart {
  int number = 0;
  std::string etag;  // without quotes
};

class ObjectStore {
 public:
  using Done = std::function<void(Status)>;

  static StatusOr<std::unique_ptr<ObjectStore>> Open(const std::string& dir);
  ObjectFiles& files() { return files_; }

  // Buckets. CreateBucket: kAlreadyExists when it exists. DeleteBucket: kNotFound, or
  // kConflict when it still holds objects.
  Status CreateBucket(const BucketInfo& bucket);
  Status DeleteBucket(const std::string& name);
  StatusOr<std::optional<BucketInfo>> GetBucket(const std::string& name);
  StatusOr<std::vector<BucketInfo>> ListBuckets();
  // A bucket's configuration document of one kind ("policy", "notification", "tagging", ...).
  // Served from memory once read (every PUT consults the notification configuration, every
  // call of a role session the policy).
  StatusOr<std::optional<std::string>> GetConfig(const std::string& bucket,
                                                 const std::string& kind);
  // Stores (or, with nullopt, deletes) one; kNotFound when the bucket does not exist.
  Status PutConfig(const std::string& bucket, const std::string& kind,
                   std::optional<std::string> document);

  // Objects. `with_body` reads an inline body too.
  StatusOr<std::optional<ObjectInfo>> GetObject(const std::string& bucket, const std::string& key,
                                                bool with_body);
  // Stores `object`, replacing any object of its key; kNotFound when the bucket is gone.
  void PutObject(ObjectInfo object, Done done);
  // Removes the objects of `keys` in one commit; `existed`, when given, tells for each whether
  // there was one.
  Status DeleteObjects(const std::string& bucket, const std::vector<std::string>& keys,
                       std::vector<bool>* existed = nullptr);
  // Replaces an object's tags; kNotFound (NoSuchKey) when there is no object.
  Status PutTags(const std::string& bucket, const std::string& key, const TagSet& tags);
  // Keys after `after` (exclusive; "" for the first) that start with `prefix`, in byte order.
  StatusOr<std::vector<ObjectEntry>> ListObjects(const std::string& bucket,
                                                 const std::string& prefix,
                                                 const std::string& after, int limit);

  // Multipart uploads.
  Status CreateUpload(const UploadInfo& upload);
  StatusOr<std::optional<UploadInfo>> GetUpload(const std::string& bucket, const std::string& key,
                                                const std::string& upload_id);
  // Stores a part, replacing one of the same number; kNotFound (NoSuchUpload) when the upload
  // is gone.
  void PutPart(const std::string& upload_id, PartInfo part, Done done);
  // Parts with numbers after `after`, ascending.
  StatusOr<std::vector<PartInfo>> ListParts(const std::string& upload_id, int after, int limit);
  // Uploads of a bucket in (key, initiation) order, after the upload `after_upload_id` of key
  // `after_key` (after every upload of `after_key` when that id is not one of them).
  StatusOr<std::vector<UploadInfo>> ListUploads(const std::string& bucket,
                                                const std::string& prefix,
                                                const std::string& after_key,
                                                const std::string& after_upload_id, int limit);
  // Builds the object from the named parts and ends the upload: kNotFound (NoSuchUpload), or
  // kInvalidArgument (InvalidPart, InvalidPartOrder, EntityTooSmall). `object` comes back filled
  // in (size, ETag, segments).
  void CompleteUpload(const UploadInfo& upload, std::vector<CompletedPart> parts,
                      int64_t modified_ms, std::function<void(StatusOr<ObjectInfo>)> done);
  // Ends an upload and removes its parts; kNotFound (NoSuchUpload) when it is not there.
  Status AbortUpload(const std::string& bucket, const std::string& key,
                     const std::string& upload_id);

 private:
  ObjectStore(std::string dir, std::unique_ptr<store::SqliteDb> writer);

  StatusOr<std::optional<std::string>> ReadConfig(const std::string& bucket,
                                                  const std::string& kind);
  void ForgetConfigs(const std::string& bucket);

  ObjectFiles files_;
  store::GroupCommit writer_;
  store::ReaderPool readers_;
  std::mutex configs_mu_;
  // (bucket, kind) -> document or none, as committed. Guarded by configs_mu_.
  std::map<std::pair<std::string, std::string>, std::optional<std::string>> configs_;
};

// The smallest part of a multipart upload but its last.
constexpr uint64_t kMinPartSize = 5 * 1024 * 1024;

}  // namespace lamina::services::s3
