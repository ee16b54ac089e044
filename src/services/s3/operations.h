// The S3 operations, one file per group (bucket_ops, object_ops, list_objects, multipart_ops,
// copy_object, tagging_ops, bucket_config_ops), and what they share: the call being served.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/xml_writer.h"
#include "http/service.h"
#include "services/s3/notifications.h"
#include "services/s3/object_store.h"
#include "services/s3/s3_request.h"
#include "services/s3/upload.h"

namespace lamina::services::s3 {

struct S3Deps {
  ObjectStore* store = nullptr;
  const Clock* clock = nullptr;
  EventTargets* targets = nullptr;  // null: notifications are refused
};

// One request being served. Operations that answer later (after a group commit) keep the call
// alive by its shared_ptr.
struct S3Call {
  http::CallContext context;
  http::HttpRequest request;
  S3Request s3;
  S3Deps deps;
  http::Responder respond;

  ObjectStore& store() const { return *deps.store; }
  int64_t now_ms() const { return deps.clock->NowMillis(); }
  const std::string* Header(std::string_view lowercase_name) const {
    return request.Header(lowercase_name);
  }
  // Answers with S3's error document, naming the call's bucket, key or upload as S3 does.
  void Fail(const Status& status);
  // Answers that the call's object is not there: NoSuchKey, or NoSuchBucket when the bucket is
  // not there either.
  void FailMissingObject();
  // Answers `response`, with the request id headers S3 sends.
  void Reply(http::HttpResponse response);
  // 200 with an XML document (the declaration is added).
  void ReplyXml(std::string xml);
  // 200 (or `status`) without a body.
  void ReplyEmpty(int status = 200);
};
using CallPtr = std::shared_ptr<S3Call>;
using Operation = void (*)(const CallPtr&);

// The namespace of S3's XML documents.
constexpr std::string_view kXmlns = "http://s3.amazonaws.com/doc/2006-03-01/";
// The canonical user id of the account that owns every bucket.
std::string OwnerId(const std::string& account_id);
// <tag><ID>owner id</ID><DisplayName>lamina</DisplayName></tag>: who owns and initiates
// everything (Owner, Initiator).
void WriteOwner(XmlWriter& xml, const char* tag, const std::string& account_id);
// An ETag as S3 sends it: in double quotes.
inline std::string Quoted(const std::string& etag) { return "\"" + etag + "\""; }

// object_events.cc: the object event of a call, and its notifications. NotifyThenReply answers
// `response` once the invocations the events make under the bucket's notification
// configuration are durably queued (at once when there are none).
ObjectEvent MakeEvent(const S3Call& call, std::string name, std::string key, uint64_t size = 0,
                      std::string etag = "");
void NotifyThenReply(const CallPtr& call, std::vector<ObjectEvent> events,
                     http::HttpResponse response);

// object_headers.cc: what a new object takes from its request.
// The headers PutObject, CopyObject (REPLACE) and CreateMultipartUpload store: the content
// headers (Content-Type defaulting to binary/octet-stream) and x-amz-meta-*. MetadataTooLarge
// past S3's 2 KB of user metadata.
StatusOr<HeaderList> StoredHeaders(const http::HttpRequest& request);
// The tags of an x-amz-tagging header (URL query form); InvalidTag past S3's limits.
StatusOr<TagSet> TagsFromHeader(const http::HttpRequest& request);
// Checks a tag set against S3's limits (10 tags, keys 128, values 256 characters, unique keys).
Status ValidateTags(const TagSet& tags);
// KeyTooLongError past S3's 1024 bytes.
Status ValidateKey(const std::string& key);
// What a new object (PutObject, CreateMultipartUpload) takes from its request: its key checked,
// its stored headers and its tags.
struct NewObjectAttributes {
  HeaderList headers;
  TagSet tags;
};
StatusOr<NewObjectAttributes> AttributesOf(const S3Call& call);
// The body of a PutObject or UploadPart: the streamed upload the edge filled, or the in-memory
// body taken now (`inline_allowed`: it may stay in memory).
StatusOr<std::shared_ptr<Upload>> TakeUpload(const CallPtr& call, bool inline_allowed);

// bucket_ops.cc
void ListBuckets(const CallPtr& call);
void CreateBucket(const CallPtr& call);
void DeleteBucket(const CallPtr& call);
void HeadBucket(const CallPtr& call);
void GetBucketLocation(const CallPtr& call);
// object_ops.cc
void PutObject(const CallPtr& call);
void GetObject(const CallPtr& call);  // HEAD too
void DeleteObject(const CallPtr& call);
void DeleteObjects(const CallPtr& call);
// copy_object.cc
void CopyObject(const CallPtr& call);
void UploadPartCopy(const CallPtr& call);
// list_objects.cc
void ListObjects(const CallPtr& call);  // V1 and V2
// Every object as its only version, "null" (buckets are not versioned).
void ListObjectVersions(const CallPtr& call);
// multipart_ops.cc
void CreateMultipartUpload(const CallPtr& call);
void UploadPart(const CallPtr& call);
void CompleteMultipartUpload(const CallPtr& call);
void AbortMultipartUpload(const CallPtr& call);
void ListParts(const CallPtr& call);
void ListMultipartUploads(const CallPtr& call);
// tagging_ops.cc
void GetObjectTagging(const CallPtr& call);
void PutObjectTagging(const CallPtr& call);
void DeleteObjectTagging(const CallPtr& call);
// bucket_config_ops.cc: documents stored per bucket (policy, tagging, notification, ...)
void GetBucketConfig(const CallPtr& call);
void PutBucketConfig(const CallPtr& call);
void DeleteBucketConfig(const CallPtr& call);
// An object's ACL: the owner's full control, the only one Lamina has.
void GetObjectAcl(const CallPtr& call);
void PutObjectAcl(const CallPtr& call);

}  // namespace lamina::services::s3
