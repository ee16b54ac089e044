#include "services/s3/s3_service.h"

#include <charconv>

#include "common/crypto.h"
#include "services/s3/access.h"
#include "services/s3/operations.h"
#include "services/s3/s3_errors.h"
#include "services/s3/upload.h"

namespace lamina::services::s3 {
namespace {

// What a request asks for, its IAM action, and whether that action's resource is the object
// (arn:aws:s3:::bucket/key) rather than the bucket.
struct OperationEntry {
  std::string_view name;
  std::string_view action;
  Operation run;
  bool on_object;
};

constexpr OperationEntry kListBuckets{"ListBuckets", "s3:ListAllMyBuckets", ListBuckets, false};
constexpr OperationEntry kCreateBucket{"CreateBucket", "s3:CreateBucket", CreateBucket, false};
constexpr OperationEntry kDeleteBucket{"DeleteBucket", "s3:DeleteBucket", DeleteBucket, false};
constexpr OperationEntry kHeadBucket{"HeadBucket", "s3:ListBucket", HeadBucket, false};
constexpr OperationEntry kGetBucketLocation{"GetBucketLocation", "s3:GetBucketLocation",
                                            GetBucketLocation, false};
constexpr OperationEntry kListObjects{"ListObjects", "s3:ListBucket", ListObjects, false};
constexpr OperationEntry kListUploads{"ListMultipartUploads", "s3:ListBucketMultipartUploads",
                                      ListMultipartUploads, false};
constexpr OperationEntry kDeleteObjects{"DeleteObjects", "s3:DeleteObject", DeleteObjects, false};
constexpr OperationEntry kPutObject{"PutObject", "s3:PutObject", PutObject, true};
constexpr OperationEntry kCopyObject{"CopyObject", "s3:PutObject", CopyObject, true};
constexpr OperationEntry kGetObject{"GetObject", "s3:GetObject", GetObject, true};
constexpr OperationEntry kDeleteObject{"DeleteObject", "s3:DeleteObject", DeleteObject, true};
constexpr OperationEntry kCreateUpload{"CreateMultipartUpload", "s3:PutObject",
                                       CreateMultipartUpload, true};
constexpr OperationEntry kUploadPart{"UploadPart", "s3:PutObject", UploadPart, true};
constexpr OperationEntry kUploadPartCopy{"UploadPartCopy", "s3:PutObject", UploadPartCopy, true};
constexpr OperationEntry kCompleteUpload{"CompleteMultipartUpload", "s3:PutObject",
                                         CompleteMultipartUpload, true};
constexpr OperationEntry kAbortUpload{"AbortMultipartUpload", "s3:AbortMultipartUpload",
                                      AbortMultipartUpload, true};
constexpr OperationEntry kListParts{"ListParts", "s3:ListMultipartUploadParts", ListParts, true};
constexpr OperationEntry kGetTagging{"GetObjectTagging", "s3:GetObjectTagging", GetObjectTagging,
                                     true};
constexpr OperationEntry kPutTagging{"PutObjectTagging", "s3:PutObjectTagging", PutObjectTagging,
                                     true};
constexpr OperationEntry kDeleteTagging{"DeleteObjectTagging", "s3:DeleteObjectTagging",
                                        DeleteObjectTagging, true};

// A bucket's configuration sub-resources (bucket_config_ops.cc) and their IAM actions.
struct ConfigEntry {
  std::string_view subresource;
  OperationEntry get, put, remove;
};
constexpr ConfigEntry kConfigs[] = {
    {"policy",
     {"GetBucketPolicy", "s3:GetBucketPolicy", GetBucketConfig, false},
     {"PutBucketPolicy", "s3:PutBucketPolicy", PutBucketConfig, false},
     {"DeleteBucketPolicy", "s3:DeleteBucketPolicy", DeleteBucketConfig, false}},
    {"notification",
     {"GetBucketNotificationConfiguration", "s3:GetBucketNotification", GetBucketConfig, false},
     {"PutBucketNotificationConfiguration", "s3:PutBucketNotification", PutBucketConfig, false},
     {"", "", nullptr, false}},
    {"tagging",
     {"GetBucketTagging", "s3:GetBucketTagging", GetBucketConfig, false},
     {"PutBucketTagging", "s3:PutBucketTagging", PutBucketConfig, false},
     {"DeleteBucketTagging", "s3:PutBucketTagging", DeleteBucketConfig, false}},
    {"versioning",
     {"GetBucketVersioning", "s3:GetBucketVersioning", GetBucketConfig, false},
     {"PutBucketVersioning", "s3:PutBucketVersioning", PutBucketConfig, false},
     {"", "", nullptr, false}},
    {"cors",
     {"GetBucketCors", "s3:GetBucketCORS", GetBucketConfig, false},
     {"PutBucketCors", "s3:PutBucketCORS", PutBucketConfig, false},
     {"DeleteBucketCors", "s3:PutBucketCORS", DeleteBucketConfig, false}},
    {"acl",
     {"GetBucketAcl", "s3:GetBucketAcl", GetBucketConfig, false},
     {"PutBucketAcl", "s3:PutBucketAcl", PutBucketConfig, false},
     {"", "", nullptr, false}},
};

constexpr OperationEntry kListVersions{"ListObjectVersions", "s3:ListBucketVersions",
                                       ListObjectVersions, false};
constexpr OperationEntry kGetObjectAcl{"GetObjectAcl", "s3:GetObjectAcl", GetObjectAcl, true};
constexpr OperationEntry kPutObjectAcl{"PutObjectAcl", "s3:PutObjectAcl", PutObjectAcl, true};
// A sub-resource Lamina does not serve: answered NotImplemented, never taken for a plain object
// or bucket operation (a PUT ?retention must not overwrite the object).
constexpr OperationEntry kUnsupported{"Unsupported", "", nullptr, false};

// S3's sub-resources (and request features) that Lamina does not implement.
constexpr std::string_view kUnsupportedSubresources[] = {"accelerate",
                                                         "analytics",
                                                         "attributes",
                                                         "encryption",
                                                         "intelligent-tiering",
                                                         "inventory",
                                                         "legal-hold",
                                                         "lifecycle",
                                                         "logging",
                                                         "metrics",
                                                         "object-lock",
                                                         "ownershipControls",
                                                         "policyStatus",
                                                         "publicAccessBlock",
                                                         "replication",
                                                         "requestPayment",
                                                         "restore",
                                                         "retention",
                                                         "select",
                                                         "torrent",
                                                         "website",
                                                         "session",
                                                         "metadataTable",
                                                         "metadataConfiguration",
                                                         "renameObject",
                                                         "abac",
                                                         "mirror"};

// The sub-resource of `s3` that Lamina does not serve, or "".
std::string_view UnsupportedSubresource(const S3Request& s3) {
  for (std::string_view name : kUnsupportedSubresources) {
    if (s3.Has(name)) return name;
  }
  return {};
}

// A request header asking for something Lamina does not do (it would otherwise be silently
// ignored): other ACLs than the owner's, object lock, KMS or customer-key encryption.
std::string UnsupportedHeader(const http::HttpRequest& request) {
  for (const auto& [name, value] : request.headers) {
    if (name == "x-amz-acl" && value != "private" && value != "bucket-owner-full-control") {
      return "the canned ACL " + value;
    }
    if (name.rfind("x-amz-grant-", 0) == 0) return "ACL grants (" + name + ")";
    if (name.rfind("x-amz-object-lock-", 0) == 0) return "object lock (" + name + ")";
    if (name == "x-amz-bucket-object-lock-enabled" && (value == "true" || value == "True")) {
      return "object lock";
    }
    if (name == "x-amz-server-side-encryption" && value != "AES256") {
      return "server-side encryption " + value;
    }
    if (name.rfind("x-amz-server-side-encryption-customer-", 0) == 0) {
      return "server-side encryption with customer keys";
    }
  }
  return {};
}

const OperationEntry* Select(const std::string& method, const S3Request& s3,
                             const http::HttpRequest& request) {
  if (s3.bucket.empty()) return method == "GET" ? &kListBuckets : nullptr;
  if (!UnsupportedSubresource(s3).empty()) return &kUnsupported;
  if (s3.key.empty()) {
    if (method == "GET" && s3.Has("versions")) return &kListVersions;
    for (const ConfigEntry& c : kConfigs) {
      if (!s3.Has(c.subresource)) continue;
      const OperationEntry* e = method == "GET"      ? &c.get
                                : method == "PUT"    ? &c.put
                                : method == "DELETE" ? &c.remove
                                                     : nullptr;
      return e && e->run ? e : nullptr;
    }
    if (method == "GET" && s3.Has("location")) return &kGetBucketLocation;
    if (method == "GET" && s3.Has("uploads")) return &kListUploads;
    if (method == "GET") return &kListObjects;
    if (method == "HEAD") return &kHeadBucket;
    if (method == "PUT") return &kCreateBucket;
    if (method == "DELETE") return &kDeleteBucket;
    if (method == "POST" && s3.Has("delete")) return &kDeleteObjects;
    return nullptr;
  }
  bool copy = request.Header("x-amz-copy-source") != nullptr;
  if (s3.Has("acl")) {
    return method == "GET" ? &kGetObjectAcl : method == "PUT" ? &kPutObjectAcl : nullptr;
  }
  if (s3.Has("tagging")) {
    return method == "GET"      ? &kGetTagging
           : method == "PUT"    ? &kPutTagging
           : method == "DELETE" ? &kDeleteTagging
                                : nullptr;
  }
  if (s3.Has("uploadId")) {
    if (method == "PUT") return copy ? &kUploadPartCopy : &kUploadPart;
    if (method == "GET") return &kListParts;
    if (method == "POST") return &kCompleteUpload;
    if (method == "DELETE") return &kAbortUpload;
    return nullptr;
  }
  if (method == "POST" && s3.Has("uploads")) return &kCreateUpload;
  if (method == "PUT") return copy ? &kCopyObject : &kPutObject;
  if (method == "GET" || method == "HEAD") return &kGetObject;
  if (method == "DELETE") return &kDeleteObject;
  return nullptr;
}

Status MethodNotAllowed() {
  return Status(Code::kInvalidArgument,
                "The specified method is not allowed against this resource.", "MethodNotAllowed");
}

std::string ResourceArn(const OperationEntry& op, const S3Request& s3) {
  if (s3.bucket.empty()) return "*";
  return "arn:aws:s3:::" + s3.bucket + (op.on_object ? "/" + s3.key : "");
}

}  // namespace

std::string OwnerId(const std::string& account_id) {
  return HexEncode(Sha256("lamina:" + account_id));
}

void WriteOwner(XmlWriter& xml, const char* tag, const std::string& account_id) {
  xml.Open(tag);
  xml.Element("ID", OwnerId(account_id));
  xml.Element("DisplayName", "lamina");
  xml.Close();
}

void S3Call::Fail(const Status& status) {
  std::vector<std::pair<std::string, std::string>> details;
  const std::string& code = status.aws_type();
  if (code == "NoSuchBucket" || code == "BucketNotEmpty" || code == "BucketAlreadyOwnedByYou" ||
      code == "NoSuchBucketPolicy" || code == "NoSuchTagSet" || code == "InvalidBucketName") {
    details.emplace_back("BucketName", s3.bucket);
  } else if (code == "NoSuchKey") {
    details.emplace_back("Key", s3.key);
  } else if (code == "NoSuchUpload") {
    if (const std::string* id = s3.Query("uploadId")) details.emplace_back("UploadId", *id);
  }
  Reply(ErrorResponse(status, context.request_id, details));
}

void S3Call::FailMissingObject() {
  auto bucket = store().GetBucket(s3.bucket);
  Fail(bucket.ok() && !*bucket ? NoSuchBucket() : NoSuchKey());
}

void S3Call::Reply(http::HttpResponse response) {
  response.SetHeader("x-amz-request-id", context.request_id);
  response.SetHeader("x-amz-id-2", Base64Encode(context.request_id));
  respond(std::move(response));
}

void S3Call::ReplyXml(std::string xml) {
  http::HttpResponse r;
  r.SetHeader("Content-Type", "application/xml");
  r.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + std::move(xml);
  Reply(std::move(r));
}

void S3Call::ReplyEmpty(int status) {
  http::HttpResponse r;
  r.status = status;
  Reply(std::move(r));
}

S3Service::S3Service(ObjectStore* store, const Clock* clock, EventTargets* targets)
    : store_(store), clock_(clock), targets_(targets) {}

void S3Service::Handle(const http::CallContext& context, http::HttpRequest request,
                       http::Responder respond) {
  auto call = std::make_shared<S3Call>();
  call->context = context;
  call->deps = {store_, clock_, targets_};
  call->respond = std::move(respond);
  auto parsed = ParseS3Request(request);
  call->request = std::move(request);
  if (!parsed.ok()) return call->Fail(parsed.status());
  call->s3 = std::move(*parsed);
  const OperationEntry* op = Select(call->request.method, call->s3, call->request);
  if (!op) return call->Fail(MethodNotAllowed());
  if (op == &kUnsupported)
    return call->Fail(NotImplemented(std::string(UnsupportedSubresource(call->s3))));
  if (std::string what = UnsupportedHeader(call->request); !what.empty()) {
    return call->Fail(NotImplemented(what));
  }
  // Buckets are not versioned: "null" names an object's only version; any other id none.
  if (const std::string* version = call->s3.Query("versionId"); version && *version != "null") {
    return call->Fail(InvalidArgument("Invalid version id specified"));
  }
  if (Status s = AuthorizeS3(call->context, *store_, call->s3.bucket, std::string(op->action),
                             ResourceArn(*op, call->s3));
      !s.ok()) {
    return call->Fail(s);
  }
  op->run(call);
}

http::HttpResponse S3Service::RenderError(const http::CallContext& context,
                                          const Status& status) const {
  // A request signed for another region: S3 names the right one, and the SDKs re-sign with it.
  if (status.message().rfind("Credential should be scoped", 0) == 0) {
    return ErrorResponse(Status(status.code(),
                                "The authorization header is malformed; the region is wrong; "
                                "expecting '" +
                                    context.region + "'",
                                "AuthorizationHeaderMalformed"),
                         context.request_id, {{"Region", context.region}});
  }
  return ErrorResponse(status, context.request_id);
}

bool S3Service::RunsOnLoop(const http::CallContext&, const http::HttpRequest& request) const {
  // A session's (or an anonymous) call may have to read its policies first.
  if (request.method != "PUT" || request.body.size() > kInlineMax ||
      request.Header("x-amz-security-token") || !request.Header("authorization")) {
    return false;
  }
  auto s3 = ParseS3Request(request);
  return s3.ok() && Select(request.method, *s3, request) == &kPutObject;
}

bool S3Service::StreamsBody(const http::HttpRequest& head) const {
  if (head.method != "PUT" || head.Header("x-amz-copy-source")) return false;
  auto s3 = ParseS3Request(head);
  if (!s3.ok()) return false;
  const OperationEntry* op = Select(head.method, *s3, head);
  if (op != &kPutObject && op != &kUploadPart) return false;
  const std::string* length = head.Header("content-length");
  if (!length) return true;  // chunked transfer: of unknown size
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(length->data(), length->data() + length->size(), n);
  return ec == std::errc() && n > kInlineMax;
}

StatusOr<std::shared_ptr<http::BodySink>> S3Service::OpenBody(const http::CallContext& context,
                                                              const http::HttpRequest& head) {
  ASSIGN_OR_RETURN(S3Request s3, ParseS3Request(head));
  const OperationEntry* op = Select(head.method, s3, head);
  if (op != &kPutObject && op != &kUploadPart) return MethodNotAllowed();
  RETURN_IF_ERROR(
      AuthorizeS3(context, *store_, s3.bucket, std::string(op->action), ResourceArn(*op, s3)));
  ASSIGN_OR_RETURN(std::optional<BucketInfo> bucket, store_->GetBucket(s3.bucket));
  if (!bucket) return NoSuchBucket();
  return std::shared_ptr<http::BodySink>(std::make_shared<Upload>(
      &store_->files(), head, context.chunk_signing, /*inline_allowed=*/op == &kPutObject));
}

}  // namespace lamina::services::s3
