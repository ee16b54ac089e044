#include "services/s3/object_store.h"

#include <charconv>
#include <nlohmann/json.hpp>

#include "common/crypto.h"

namespace lamina::services::s3 {

using store::SqliteDb;
using store::Statement;

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS buckets (
  name TEXT PRIMARY KEY, region TEXT NOT NULL, created_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS bucket_configs (
  bucket TEXT NOT NULL, kind TEXT NOT NULL, document TEXT NOT NULL,
  PRIMARY KEY (bucket, kind)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS objects (
  bucket TEXT NOT NULL, key BLOB NOT NULL, size INTEGER NOT NULL, etag TEXT NOT NULL,
  modified_ms INTEGER NOT NULL, headers TEXT NOT NULL, tags TEXT NOT NULL,
  body BLOB, segments TEXT NOT NULL, parts INTEGER NOT NULL, storage_class TEXT NOT NULL,
  PRIMARY KEY (bucket, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS uploads (
  upload_id TEXT PRIMARY KEY, bucket TEXT NOT NULL, key BLOB NOT NULL,
  initiated_ms INTEGER NOT NULL, headers TEXT NOT NULL, tags TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS uploads_by_key ON uploads (bucket, key, initiated_ms, upload_id);
CREATE TABLE IF NOT EXISTS parts (
  upload_id TEXT NOT NULL, number INTEGER NOT NULL, size INTEGER NOT NULL, etag TEXT NOT NULL,
  modified_ms INTEGER NOT NULL, file TEXT NOT NULL,
  PRIMARY KEY (upload_id, number)) WITHOUT ROWID;
)sql";

Status Configure(SqliteDb& db) {
  RETURN_IF_ERROR(db.Exec("PRAGMA journal_mode=WAL"));
  RETURN_IF_ERROR(db.Exec("PRAGMA synchronous=FULL"));
  return db.Exec("PRAGMA busy_timeout=10000");
}

std::string EncodePairs(const std::vector<std::pair<std::string, std::string>>& pairs) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& [k, v] : pairs) j.push_back({k, v});
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::vector<std::pair<std::string, std::string>> DecodePairs(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_array()) return out;
  for (const auto& pair : j) {
    if (pair.is_array() && pair.size() == 2 && pair[0].is_string() && pair[1].is_string()) {
      out.emplace_back(pair[0].get<std::string>(), pair[1].get<std::string>());
    }
  }
  return out;
}

// Segments as "name:size,name:size".
std::string EncodeSegments(const std::vector<Segment>& segments) {
  std::string out;
  for (const Segment& s : segments) {
    if (!out.empty()) out += ',';
    out += s.file + ":" + std::to_string(s.size);
  }
  return out;
}

std::vector<Segment> DecodeSegments(std::string_view text) {
  std::vector<Segment> out;
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    size_t colon = item.find(':');
    if (colon != std::string_view::npos) {
      out.push_back(
          {std::string(item.substr(0, colon)), std::stoull(std::string(item.substr(colon + 1)))});
    }
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

Status NoSuchBucket() { return NotFound("The specified bucket does not exist", "NoSuchBucket"); }
Status NoSuchKey() { return NotFound("The specified key does not exist.", "NoSuchKey"); }
Status NoSuchUpload() {
  return NotFound(
      "The specified upload does not exist. The upload ID may be invalid, or the upload may have "
      "been aborted or completed.",
      "NoSuchUpload");
}

StatusOr<bool> BucketExists(SqliteDb& db, const std::string& bucket) {
  ASSIGN_OR_RETURN(Statement st, db.Prepare("SELECT 1 FROM buckets WHERE name = ?"));
  st.BindText(1, bucket);
  return st.Step();
}

// The segments of the object at (bucket, key), which a write is about to replace or drop.
StatusOr<std::vector<Segment>> SegmentsOf(SqliteDb& db, const std::string& bucket,
                                          const std::string& key) {
  ASSIGN_OR_RETURN(Statement st,
                   db.Prepare("SELECT segments FROM objects WHERE bucket = ? AND key = ?"));
  st.BindText(1, bucket).BindBlob(2, key);
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::vector<Segment>{};
  return DecodeSegments(st.Bytes(0));
}

Status InsertObject(SqliteDb& db, const ObjectInfo& o) {
  ASSIGN_OR_RETURN(Statement st,
                   db.Prepare("INSERT OR REPLACE INTO objects (bucket, key, size, etag, "
                              "modified_ms, headers, tags, body, segments, parts, storage_class) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  st.BindText(1, o.bucket)
      .BindBlob(2, o.key)
      .Bind(3, static_cast<int64_t>(o.size))
      .BindText(4, o.etag)
      .Bind(5, o.modified_ms)
      .BindText(6, EncodePairs(o.headers))
      .BindText(7, EncodePairs(o.tags));
  if (o.segments.empty()) {
    st.BindBlob(8, o.inline_body);
  } else {
    st.BindNull(8);
  }
  std::string storage_class = "STANDARD";
  for (const auto& [name, value] : o.headers) {
    if (name == "x-amz-storage-class") storage_class = value;
  }
  st.BindText(9, EncodeSegments(o.segments)).Bind(10, o.parts).BindText(11, storage_class);
  return st.Run();
}

UploadInfo UploadFrom(const Statement& st) {
  UploadInfo u;
  u.upload_id = st.String(0);
  u.bucket = st.String(1);
  u.key = st.String(2);
  u.initiated_ms = st.Int(3);
  u.headers = DecodePairs(st.Bytes(4));
  u.tags = DecodePairs(st.Bytes(5));
  return u;
}

constexpr const char* kUploadColumns =
    "SELECT upload_id, bucket, key, initiated_ms, headers, tags FROM uploads ";

}  // namespace

StatusOr<std::unique_ptr<ObjectStore>> ObjectStore::Open(const std::string& dir) {
  ObjectFiles files(dir);
  RETURN_IF_ERROR(files.Init());
  ASSIGN_OR_RETURN(std::unique_ptr<SqliteDb> writer,
                   SqliteDb::Open(dir + "/s3.db", /*read_only=*/false));
  RETURN_IF_ERROR(Configure(*writer));
  RETURN_IF_ERROR(writer->Exec(kSchema));
  return std::unique_ptr<ObjectStore>(new ObjectStore(dir, std::move(writer)));
}

ObjectStore::ObjectStore(std::string dir, std::unique_ptr<SqliteDb> writer)
    : files_(dir), writer_(std::move(writer)), readers_(dir + "/s3.db", Configure) {}

// --- buckets ---------------------------------------------------------------------------------

Status ObjectStore::CreateBucket(const BucketInfo& bucket) {
  return writer_.Run([&](SqliteDb& db) -> Status {
    ASSIGN_OR_RETURN(bool exists, BucketExists(db, bucket.name));
    if (exists) {
      return AlreadyExists(
          "Your previous request to create the named bucket succeeded and you already own it.",
          "BucketAlreadyOwnedByYou");
    }
    ASSIGN_OR_RETURN(Statement st, db.Prepare("INSERT INTO buckets (name, region, created_ms) "
                                              "VALUES (?, ?, ?)"));
    st.BindText(1, bucket.name).BindText(2, bucket.region).Bind(3, bucket.created_ms);
    return st.Run();
  });
}

Status ObjectStore::DeleteBucket(const std::string& name) {
  std::vector<Segment> orphans;
  RETURN_IF_ERROR(writer_.Run([&](SqliteDb& db) -> Status {
    ASSIGN_OR_RETURN(bool exists, BucketExists(db, name));
    if (!exists) return NoSuchBucket();
    ASSIGN_OR_RETURN(Statement any, db.Prepare("SELECT 1 FROM objects WHERE bucket = ? LIMIT 1"));
    any.BindText(1, name);
    ASSIGN_OR_RETURN(bool has_objects, any.Step());
    if (has_objects) {
      return Conflict("The bucket you tried to delete is not empty", "BucketNotEmpty");
    }
    // Unfinished multipart uploads go with the bucket.
    ASSIGN_OR_RETURN(Statement parts,
                     db.Prepare("SELECT p.file, p.size FROM parts p JOIN uploads u ON "
                                "p.upload_id = u.upload_id WHERE u.bucket = ?"));
    parts.BindText(1, name);
    for (;;) {
      ASSIGN_OR_RETURN(bool row, parts.Step());
      if (!row) break;
      orphans.push_back({parts.String(0), static_cast<uint64_t>(parts.Int(1))});
    }
    for (const char* sql :
         {"DELETE FROM parts WHERE upload_id IN (SELECT upload_id FROM uploads WHERE bucket = ?)",
          "DELETE FROM uploads WHERE bucket = ?", "DELETE FROM bucket_configs WHERE bucket = ?",
          "DELETE FROM buckets WHERE name = ?"}) {
      ASSIGN_OR_RETURN(Statement st, db.Prepare(sql));
      st.BindText(1, name);
      RETURN_IF_ERROR(st.Run());
    }
    return Status::Ok();
  }));
  ForgetConfigs(name);
  files_.Remove(orphans);
  return Status::Ok();
}

StatusOr<std::optional<BucketInfo>> ObjectStore::GetBucket(const std::string& name) {
  ASSIGN_OR_RETURN(auto db, readers_.Acquire());
  ASSIGN_OR_RETURN(Statement st,
                   db->Prepare("SELECT region, created_ms FROM buckets WHERE name = ?"));
  st.BindText(1, name);
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::optional<BucketInfo>();
  return std::optional<BucketInfo>(BucketInfo{name, st.String(0), st.Int(1)});
}

StatusOr<std::vector<BucketInfo>> ObjectStore::ListBuckets() {
  ASSIGN_OR_RETURN(auto db, readers_.Acquire());
  ASSIGN_OR_RETURN(Statement st,
                   db->Prepare("SELECT name, region, created_ms FROM buckets ORDER BY name"));
  std::vector<BucketInfo> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back({st.String(0), st.String(1), st.Int(2)});
  }
  return out;
}

StatusOr<std::optional<std::string>> ObjectStore::GetConfig(const std::string& bucket,
                                                            const std::string& kind) {
  auto key = std::make_pair(bucket, kind);
  {
    std::lock_guard lock(configs_mu_);
    if (auto it = configs_.find(key); it != configs_.end()) return it->second;
  }
  ASSIGN_OR_RETURN(std::optional<std::string> document, ReadConfig(bucket, kind));
  // A write committed since the read has put its own document in place: keep that one.
  std::lock_guard lock(configs_mu_);
  return configs_.try_emplace(std::move(key), std::move(document)).first->second;
}

void ObjectStore::ForgetConfigs(const std::string& bucket) {
  std::lock_guard lock(configs_mu_);
  auto it = configs_.lower_bound({bucket, ""});
  while (it != configs_.end() && it->first.first == bucket) it = configs_.erase(it);
}

StatusOr<std::optional<std::string>> ObjectStore::ReadConfig(const std::string& bucket,
                                                             const std::string& kind) {
  ASSIGN_OR_RETURN(auto db, readers_.Acquire());
  ASSIGN_OR_RETURN(Statement st, db->Prepare("SELECT document FROM bucket_configs WHERE bucket = "
                                             "? AND kind = ?"));
  st.BindText(1, bucket).BindText(2, kind);
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(st.String(0));
}

Status ObjectStore::PutConfig(const std::string& bucket, const std::string& kind,
                              std::optional<std::string> document) {
  // Reads that start meanwhile go to the store; after the commit the cache has the new document.
  ForgetConfigs(bucket);
  Status s = writer_.Run([&](SqliteDb& db) -> Status {
    ASSIGN_OR_RETURN(bool exists, BucketExists(db, bucket));
    if (!exists) return NoSuchBucket();
    if (!document) {
      ASSIGN_OR_RETURN(Statement st,
                       db.Prepare("DELETE FROM bucket_configs WHERE bucket = ? AND kind = ?"));
      st.BindText(1, bucket).BindText(2, kind);
      return st.Run();
    }
    ASSIGN_OR_RETURN(Statement st, db.Prepare("INSERT OR REPLACE INTO bucket_configs (bucket, "
                                              "kind, document) VALUES (?, ?, ?)"));
    st.BindText(1, bucket).BindText(2, kind).BindText(3, *document);
    return st.Run();
  });
  if (s.ok()) {
    std::lock_guard lock(configs_mu_);
    configs_[{bucket, kind}] = std::move(document);
  } else {
    ForgetConfigs(bucket);
  }
  return s;
}

// --- objects ---------------------------------------------------------------------------------

StatusOr<std::optional<ObjectInfo>> ObjectStore::GetObject(const std::string& bucket,
                                                           const std::string& key, bool with_body) {
  ASSIGN_OR_RETURN(auto db, readers_.Acquire());
  ASSIGN_OR_RETURN(Statement st,
                   db->Prepare(with_body ? "SELECT size, etag, modified_ms, headers, tags, "
                                           "segments, parts, body FROM objects WHERE bucket = ? "
                                           "AND key = ?"
                                         : "SELECT size, etag, modified_ms, headers, tags, "
                                           "segments, parts FROM objects WHERE bucket = ? AND "
                                           "key = ?"));
  st.BindText(1, bucket).BindBlob(2, key);
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::optional<ObjectInfo>();
  ObjectInfo o;
  o.bucket = bucket;
  o.key = key;
  o.size = static_cast<uint64_t>(st.Int(0));
  o.etag = st.String(1);
  o.modified_ms = st.Int(2);
  o.headers = DecodePairs(st.Bytes(3));
  o.tags = DecodePairs(st.Bytes(4));
  o.segments = DecodeSegments(st.Bytes(5));
  o.parts = static_cast<int>(st.Int(6));
  if (with_body && o.segments.empty()) o.inline_body = st.String(7);
  return std::optional<ObjectInfo>(std::move(o));
}

void ObjectStore::PutObject(ObjectInfo object, Done done) {
  auto replaced = std::make_shared<std::vector<Segment>>();
  auto shared = std::make_shared<ObjectInfo>(std::move(object));
  writer_.Submit(
      [shared, replaced](SqliteDb& db) -> Status {
        ASSIGN_OR_RETURN(bool exists, BucketExists(db, shared->bucket));
        if (!exists) return NoSuchBucket();
        ASSIGN_OR_RETURN(*replaced, SegmentsOf(db, shared->bucket, shared->key));
        return InsertObject(db, *shared);
      },
      [this, shared, replaced, done = std::move(done)](Status s) {
        // A failed write leaves its own new files unreferenced; a committed one the old ones.
        files_.Remove(s.ok() ? *replaced : shared->segments);
        done(std::move(s));
      });
}

Status ObjectStore::DeleteObjects(const std::string& bucket, const std::vector<std::string>& keys,
                                  std::vector<bool>* existed) {
  std::vector<Segment> dropped;
  std::vector<bool> found(keys.size(), false);
  RETURN_IF_ERROR(writer_.Run([&](SqliteDb& db) -> Status {
    ASSIGN_OR_RETURN(bool exists, BucketExists(db, bucket));
    if (!exists) return NoSuchBucket();
    for (size_t i = 0; i < keys.size(); ++i) {
      ASSIGN_OR_RETURN(std::vector<Segment> segments, SegmentsOf(db, bucket, keys[i]));
      dropped.insert(dropped.end(), segments.begin(), segments.end());
      ASSIGN_OR_RETURN(Statement st,
                       db.Prepare("DELETE FROM objects WHERE bucket = ? AND key = ?"));
      st.BindText(1, bucket).BindBlob(2, keys[i]);
      RETURN_IF_ERROR(st.Run());
      found[i] = db.Changes() > 0;
    }
    return Status::Ok();
  }));
  files_.Remove(dropped);
  if (existed) *existed = std::move(found);
  return Status::Ok();
}

Status ObjectStore::PutTags(const std::string& bucket, const std::string& key, const TagSet& tags) {
  return writer_.Run([&](SqliteDb& db) -> Status {
    ASSIGN_OR_RETURN(bool exists, BucketExists(db, bucket));
    if (!exists) return NoSuchBucket();
    ASSIGN_OR_RETURN(Statement st,
                     db.Prepare("UPDATE objects SET tags = ? WHERE bucket = ? AND key = ?"));
    st.BindText(1, EncodePairs(tags)).BindText(2, bucket).BindBlob(3, key);
    RETURN_IF_ERROR(st.Run());
    return db.Changes() > 0 ? Status::Ok() : NoSuchKey();
  });
}

StatusOr<std::vector<ObjectEntry>> ObjectStore::ListObjects(const std::string& bucket,
                                                            const std::string& prefix,
                                                            const std::string& after, int limit) {
  ASSIGN_OR_RETURN(auto db, readers_.Acquire());
  // Keys are BLOBs, so they compare bytewise (S3 lists in UTF-8 binary order).
  ASSIGN_OR_RETURN(Statement st,
                   db->Prepare("SELECT key, size, etag, modified_ms, storage_class FROM objects "
                               "WHERE bucket = ? AND key > ? AND key >= ? AND (? IS NULL OR key "
                               "< ?) ORDER BY key LIMIT ?"));
  std::optional<std::string> end = store::PrefixEnd(prefix);
  st.BindText(1, bucket).BindBlob(2, after).BindBlob(3, prefix);
  if (end) {
    st.BindBlob(4, *end).BindBlob(5, *end);
  } else {
    st.BindNull(4).BindNull(5);
  }
  st.Bind(6, limit);
  std::vector<ObjectEntry> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back(
        {st.String(0), static_cast<uint64_t>(st.Int(1)), st.String(2), st.Int(3), st.String(4)});
  }
  return out;
}

// --- multipart uploads -----------------------------------------------------------------------

Status ObjectStore::CreateUpload(const UploadInfo& upload) {
  return writer_.Run([&](SqliteDb& db) -> Status {
    ASSIGN_OR_RETURN(bool exists, BucketExists(db, upload.bucket));
    if (!exists) return NoSuchBucket();
    ASSIGN_OR_RETURN(Statement st,
                     db.Prepare("INSERT INTO uploads (upload_id, bucket, key, initiated_ms, "
                                "headers, tags) VALUES (?, ?, ?, ?, ?, ?)"));
    st.BindText(1, upload.upload_id)
        .BindText(2, upload.bucket)
        .BindBlob(3, upload.key)
        .Bind(4, upload.initiated_ms)
        .BindText(5, EncodePairs(upload.headers))
        .BindText(6, EncodePairs(upload.tags));
    return st.Run();
  });
}

StatusOr<std::optional<UploadInfo>> ObjectStore::GetUpload(const std::string& bucket,
                                                           const std::string& key,
                                                           const std::string& upload_id) {
  ASSIGN_OR_RETURN(auto db, readers_.Acquire());
  ASSIGN_OR_RETURN(Statement st, db->Prepare(std::string(kUploadColumns) +
                                             "WHERE upload_id = ? AND bucket = ? AND key = ?"));
  st.BindText(1, upload_id).BindText(2, bucket).BindBlob(3, key);
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::optional<UploadInfo>();
  return std::optional<UploadInfo>(UploadFrom(st));
}

void ObjectStore::PutPart(const std::string& upload_id, PartInfo part, Done done) {
  auto replaced = std::make_shared<std::vector<Segment>>();
  auto shared = std::make_shared<PartInfo>(std::move(part));
  writer_.Submit(
      [upload_id, shared, replaced](SqliteDb& db) -> Status {
        ASSIGN_OR_RETURN(Statement up, db.Prepare("SELECT 1 FROM uploads WHERE upload_id = ?"));
        up.BindText(1, upload_id);
        ASSIGN_OR_RETURN(bool exists, up.Step());
        if (!exists) return NoSuchUpload();
        ASSIGN_OR_RETURN(Statement old, db.Prepare("SELECT file, size FROM parts WHERE "
                                                   "upload_id = ? AND number = ?"));
        old.BindText(1, upload_id).Bind(2, shared->number);
        ASSIGN_OR_RETURN(bool had, old.Step());
        if (had) replaced->push_back({old.String(0), static_cast<uint64_t>(old.Int(1))});
        ASSIGN_OR_RETURN(Statement st,
                         db.Prepare("INSERT OR REPLACE INTO parts (upload_id, number, size, "
                                    "etag, modified_ms, file) VALUES (?, ?, ?, ?, ?, ?)"));
        st.BindText(1, upload_id)
            .Bind(2, shared->number)
            .Bind(3, static_cast<int64_t>(shared->size))
            .BindText(4, shared->etag)
            .Bind(5, shared->modified_ms)
            .BindText(6, shared->segment.file);
        return st.Run();
      },
      [this, shared, replaced, done = std::move(done)](Status s) {
        files_.Remove(s.ok() ? *replaced : std::vector<Segment>{shared->segment});
        done(std::move(s));
      });
}

namespace {

StatusOr<std::vector<PartInfo>> ReadParts(SqliteDb& db, const std::string& upload_id, int after,
                                          int limit) {
  ASSIGN_OR_RETURN(Statement st,
                   db.Prepare("SELECT number, size, etag, modified_ms, file FROM parts WHERE "
                              "upload_id = ? AND number > ? ORDER BY number LIMIT ?"));
  st.BindText(1, upload_id).Bind(2, after).Bind(3, limit);
  std::vector<PartInfo> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    PartInfo& p = out.emplace_back();
    p.number = static_cast<int>(st.Int(0));
    p.size = static_cast<uint64_t>(st.Int(1));
    p.etag = st.String(2);
    p.modified_ms = st.Int(3);
    p.segment = {st.String(4), p.size};
  }
  return out;
}

Status DeleteUploadRows(SqliteDb& db, const std::string& upload_id) {
  for (const char* sql :
       {"DELETE FROM parts WHERE upload_id = ?", "DELETE FROM uploads WHERE upload_id = ?"}) {
    ASSIGN_OR_RETURN(Statement st, db.Prepare(sql));
    st.BindText(1, upload_id);
    RETURN_IF_ERROR(st.Run());
  }
  return Status::Ok();
}

}  // namespace

StatusOr<std::vector<PartInfo>> ObjectStore::ListParts(const std::string& upload_id, int after,
                                                       int limit) {
  ASSIGN_OR_RETURN(auto db, readers_.Acquire());
  return ReadParts(*db, upload_id, after, limit);
}

StatusOr<std::vector<UploadInfo>> ObjectStore::ListUploads(const std::string& bucket,
                                                           const std::string& prefix,
                                                           const std::string& after_key,
                                                           const std::string& after_upload_id,
                                                           int limit) {
  ASSIGN_OR_RETURN(auto db, readers_.Acquire());
  ASSIGN_OR_RETURN(Statement st,
                   db->Prepare(std::string(kUploadColumns) +
                               "WHERE bucket = ? AND (key > ? OR (key = ? AND (initiated_ms, "
                               "upload_id) > (SELECT initiated_ms, upload_id FROM uploads WHERE "
                               "upload_id = ?))) AND key >= ? AND (? IS NULL OR key < ?) ORDER "
                               "BY key, initiated_ms, upload_id LIMIT ?"));
  std::optional<std::string> end = store::PrefixEnd(prefix);
  st.BindText(1, bucket)
      .BindBlob(2, after_key)
      .BindBlob(3, after_key)
      .BindText(4, after_upload_id)
      .BindBlob(5, prefix);
  if (end) {
    st.BindBlob(6, *end).BindBlob(7, *end);
  } else {
    st.BindNull(6).BindNull(7);
  }
  st.Bind(8, limit);
  std::vector<UploadInfo> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back(UploadFrom(st));
  }
  return out;
}

void ObjectStore::CompleteUpload(const UploadInfo& upload, std::vector<CompletedPart> parts,
                                 int64_t modified_ms,
                                 std::function<void(StatusOr<ObjectInfo>)> done) {
  auto object = std::make_shared<ObjectInfo>();
  object->bucket = upload.bucket;
  object->key = upload.key;
  object->modified_ms = modified_ms;
  auto dropped = std::make_shared<std::vector<Segment>>();
  writer_.Submit(
      [upload_id = upload.upload_id, parts = std::move(parts), object,
       dropped](SqliteDb& db) -> Status {
        ASSIGN_OR_RETURN(Statement st,
                         db.Prepare(std::string(kUploadColumns) + "WHERE upload_id = ?"));
        st.BindText(1, upload_id);
        ASSIGN_OR_RETURN(bool found, st.Step());
        if (!found) return NoSuchUpload();
        UploadInfo current = UploadFrom(st);
        object->headers = current.headers;
        object->tags = current.tags;
        ASSIGN_OR_RETURN(std::vector<PartInfo> stored, ReadParts(db, upload_id, 0, 100000));
        std::string md5s;
        size_t next = 0;  // index into stored
        int previous = 0;
        object->segments.clear();
        object->size = 0;
        for (size_t i = 0; i < parts.size(); ++i) {
          const CompletedPart& want = parts[i];
          if (want.number <= previous) {
            return InvalidArgument(
                "The list of parts was not in ascending order. Parts must be ordered by part "
                "number.",
                "InvalidPartOrder");
          }
          previous = want.number;
          while (next < stored.size() && stored[next].number < want.number) ++next;
          if (next == stored.size() || stored[next].number != want.number ||
              stored[next].etag != want.etag) {
            return InvalidArgument(
                "One or more of the specified parts could not be found.  The part may not have "
                "been uploaded, or the specified entity tag may not match the part's entity tag.",
                "InvalidPart");
          }
          const PartInfo& part = stored[next];
          if (i + 1 < parts.size() && part.size < kMinPartSize) {
            return InvalidArgument(
                "Your proposed upload is smaller than the minimum allowed object size.",
                "EntityTooSmall");
          }
          for (size_t h = 0; h + 1 < part.etag.size(); h += 2) {
            unsigned byte = 0;
            std::from_chars(part.etag.data() + h, part.etag.data() + h + 2, byte, 16);
            md5s += static_cast<char>(byte);
          }
          object->segments.push_back(part.segment);
          object->size += part.size;
          ++next;
        }
        // Parts uploaded but not named are dropped with the upload.
        for (const PartInfo& p : stored) {
          bool used = false;
          for (const Segment& s : object->segments) used = used || s.file == p.segment.file;
          if (!used) dropped->push_back(p.segment);
        }
        object->parts = static_cast<int>(parts.size());
        object->etag = HexEncode(Md5(md5s)) + "-" + std::to_string(parts.size());
        ASSIGN_OR_RETURN(std::vector<Segment> replaced,
                         SegmentsOf(db, object->bucket, object->key));
        dropped->insert(dropped->end(), replaced.begin(), replaced.end());
        RETURN_IF_ERROR(InsertObject(db, *object));
        return DeleteUploadRows(db, upload_id);
      },
      [this, object, dropped, done = std::move(done)](Status s) {
        if (!s.ok()) return done(std::move(s));
        files_.Remove(*dropped);
        done(std::move(*object));
      });
}

Status ObjectStore::AbortUpload(const std::string& bucket, const std::string& key,
                                const std::string& upload_id) {
  std::vector<PartInfo> parts;
  RETURN_IF_ERROR(writer_.Run([&](SqliteDb& db) -> Status {
    ASSIGN_OR_RETURN(Statement st, db.Prepare("SELECT 1 FROM uploads WHERE upload_id = ? AND "
                                              "bucket = ? AND key = ?"));
    st.BindText(1, upload_id).BindText(2, bucket).BindBlob(3, key);
    ASSIGN_OR_RETURN(bool found, st.Step());
    if (!found) return NoSuchUpload();
    ASSIGN_OR_RETURN(parts, ReadParts(db, upload_id, 0, 100000));
    return DeleteUploadRows(db, upload_id);
  }));
  std::vector<Segment> segments;
  for (const PartInfo& p : parts) segments.push_back(p.segment);
  files_.Remove(segments);
  return Status::Ok();
}

}  // namespace lamina::services::s3
