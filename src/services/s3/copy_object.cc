// CopyObject and UploadPartCopy: a copy shares the source's files (hard links) when it takes
// them whole, and copies bytes otherwise (a range, or a part that needs its own MD5).
#include <functional>

#include "common/crypto.h"
#include "common/time_format.h"
#include "common/uri.h"
#include "common/xml_writer.h"
#include "services/s3/access.h"
#include "services/s3/multipart.h"
#include "services/s3/operations.h"
#include "services/s3/s3_errors.h"

namespace lamina::services::s3 {
namespace {

struct CopySource {
  std::string bucket;
  std::string key;
};

StatusOr<CopySource> ParseCopySource(const std::string& header) {
  std::string decoded;
  std::string_view raw = header;
  if (size_t q = raw.find("?versionId="); q != std::string_view::npos) raw = raw.substr(0, q);
  if (!UriDecode(raw, decoded)) {
    return InvalidArgument("Invalid copy source encoding");
  }
  std::string_view s = decoded;
  if (!s.empty() && s.front() == '/') s.remove_prefix(1);
  size_t slash = s.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == s.size()) {
    return InvalidArgument("Invalid copy source object key");
  }
  return CopySource{std::string(s.substr(0, slash)), std::string(s.substr(slash + 1))};
}

// Loads the source after checking the caller may read it, and its x-amz-copy-source-if-*
// conditions.
StatusOr<ObjectInfo> LoadSource(const S3Call& call, const CopySource& source) {
  RETURN_IF_ERROR(
      call.context.Authorize("s3:GetObject", "arn:aws:s3:::" + source.bucket + "/" + source.key));
  ASSIGN_OR_RETURN(std::optional<BucketInfo> bucket, call.deps.store->GetBucket(source.bucket));
  if (!bucket) return NoSuchBucket();
  ASSIGN_OR_RETURN(std::optional<ObjectInfo> object,
                   call.deps.store->GetObject(source.bucket, source.key, /*with_body=*/true));
  if (!object) return NoSuchKey();  // CopyObject names the source key in the error
  auto matches = [&](const std::string& header) {
    std::string h = header;
    if (h.size() >= 2 && h.front() == '"') h = h.substr(1, h.size() - 2);
    return h == "*" || h == object->etag;
  };
  int64_t modified_s = object->modified_ms / 1000;
  auto failed = [] {
    return FailedPrecondition("At least one of the pre-conditions you specified did not hold",
                              "PreconditionFailed");
  };
  const std::string* if_match = call.Header("x-amz-copy-source-if-match");
  if (if_match && !matches(*if_match)) return failed();
  if (const std::string* h = call.Header("x-amz-copy-source-if-none-match"); h && matches(*h)) {
    return failed();
  }
  if (const std::string* h = call.Header("x-amz-copy-source-if-unmodified-since"); h && !if_match) {
    auto t = ParseHttpDate(*h);
    if (t && modified_s > *t / 1000) return failed();
  }
  if (const std::string* h = call.Header("x-amz-copy-source-if-modified-since")) {
    auto t = ParseHttpDate(*h);
    if (t && modified_s <= *t / 1000) return failed();
  }
  return std::move(*object);
}

// Reads bytes [first, first + length) of `source`, in order, into `take`.
Status ReadBytes(ObjectFiles& files, const ObjectInfo& source, uint64_t first, uint64_t length,
                 const std::function<Status(std::string_view)>& take) {
  if (source.segments.empty()) {
    return take(std::string_view(source.inline_body).substr(first, length));
  }
  ASSIGN_OR_RETURN(auto reader, files.Read(source.segments, first, length));
  std::string buffer(1024 * 1024, '\0');
  for (;;) {
    size_t n = 0;
    RETURN_IF_ERROR(reader->Read(buffer.data(), buffer.size(), n));
    if (n == 0) return Status::Ok();
    RETURN_IF_ERROR(take(std::string_view(buffer.data(), n)));
  }
}

// Copies bytes [first, first + length) of `source` into a new placed file; `md5_hex` gets their
// MD5.
StatusOr<Segment> CopyBytes(ObjectFiles& files, const ObjectInfo& source, uint64_t first,
                            uint64_t length, std::string& md5_hex) {
  ASSIGN_OR_RETURN(ObjectFiles::Writer writer, files.NewWriter());
  Digest md5 = Digest::Md5();
  RETURN_IF_ERROR(ReadBytes(files, source, first, length, [&](std::string_view chunk) {
    md5.Update(chunk);
    return writer.Write(chunk);
  }));
  md5_hex = HexEncode(md5.Final());
  return writer.Place();
}

std::string CopyResult(const char* root, const std::string& etag, int64_t modified_ms) {
  XmlWriter xml;
  xml.Open(root, kXmlns);
  xml.Element("LastModified", FormatIso8601Millis(modified_ms));
  xml.Element("ETag", Quoted(etag));
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + xml.Finish();
}

}  // namespace

void CopyObject(const CallPtr& call) {
  if (Status s = ValidateKey(call->s3.key); !s.ok()) return call->Fail(s);
  auto source_name = ParseCopySource(*call->Header("x-amz-copy-source"));
  if (!source_name.ok()) return call->Fail(source_name.status());
  auto source = LoadSource(*call, *source_name);
  if (!source.ok()) {
    if (source.status().aws_type() == "NoSuchKey") {
      return call->Reply(
          ErrorResponse(source.status(), call->context.request_id, {{"Key", source_name->key}}));
    }
    return call->Fail(source.status());
  }
  const std::string* directive = call->Header("x-amz-metadata-directive");
  const std::string* tagging_directive = call->Header("x-amz-tagging-directive");
  bool replace = directive && *directive == "REPLACE";
  if (directive && !replace && *directive != "COPY") {
    return call->Fail(InvalidArgument("Unknown metadata directive."));
  }
  bool same = source_name->bucket == call->s3.bucket && source_name->key == call->s3.key;
  if (same && !replace && !call->Header("x-amz-storage-class") &&
      !call->Header("x-amz-website-redirect-location") &&
      !call->Header("x-amz-server-side-encryption")) {
    return call->Fail(InvalidRequest(
        "This copy request is illegal because it is trying to copy an object to itself without "
        "changing the object's metadata, storage class, website redirect location or encryption "
        "attributes."));
  }
  ObjectInfo object = std::move(*source);
  object.bucket = call->s3.bucket;
  object.key = call->s3.key;
  object.modified_ms = call->now_ms();
  if (replace) {
    auto headers = StoredHeaders(call->request);
    if (!headers.ok()) return call->Fail(headers.status());
    object.headers = std::move(*headers);
  } else {
    // The copy's storage class is the request's (STANDARD by default), not the source's.
    std::erase_if(object.headers, [](const auto& h) { return h.first == "x-amz-storage-class"; });
    if (const std::string* storage = call->Header("x-amz-storage-class");
        storage && *storage != "STANDARD") {
      object.headers.emplace_back("x-amz-storage-class", *storage);
    }
  }
  if (tagging_directive && *tagging_directive == "REPLACE") {
    auto tags = TagsFromHeader(call->request);
    if (!tags.ok()) return call->Fail(tags.status());
    object.tags = std::move(*tags);
  }
  // A copy is one object, not a multipart one: its ETag is its bytes' MD5.
  if (object.parts > 0) {
    Digest md5 = Digest::Md5();
    Status read = ReadBytes(call->store().files(), object, 0, object.size, [&](std::string_view b) {
      md5.Update(b);
      return Status::Ok();
    });
    if (!read.ok()) return call->Fail(read);
    object.etag = HexEncode(md5.Final());
    object.parts = 0;
  }
  for (Segment& segment : object.segments) {
    auto linked = call->store().files().Link(segment);
    if (!linked.ok()) return call->Fail(linked.status());
    segment = std::move(*linked);
  }
  ObjectEvent event = MakeEvent(*call, "ObjectCreated:Copy", object.key, object.size, object.etag);
  std::string body = CopyResult("CopyObjectResult", object.etag, object.modified_ms);
  call->store().PutObject(std::move(object), [call, event = std::move(event),
                                              body = std::move(body)](Status s) mutable {
    if (!s.ok()) return call->Fail(s);
    http::HttpResponse r;
    r.SetHeader("Content-Type", "application/xml");
    r.body = std::move(body);
    NotifyThenReply(call, {std::move(event)}, std::move(r));
  });
}

void UploadPartCopy(const CallPtr& call) {
  auto number = PartNumber(*call);
  if (!number.ok()) return call->Fail(number.status());
  auto upload = FindUpload(*call);
  if (!upload.ok()) return call->Fail(upload.status());
  auto source_name = ParseCopySource(*call->Header("x-amz-copy-source"));
  if (!source_name.ok()) return call->Fail(source_name.status());
  auto source = LoadSource(*call, *source_name);
  if (!source.ok()) return call->Fail(source.status());
  uint64_t first = 0, length = source->size;
  if (const std::string* range = call->Header("x-amz-copy-source-range")) {
    unsigned long long a = 0, b = 0;
    char extra = 0;
    if (std::sscanf(range->c_str(), "bytes=%llu-%llu%c", &a, &b, &extra) != 2 || b < a) {
      return call->Fail(InvalidArgument(
          "The x-amz-copy-source-range value must be of the form bytes=first-last where first and "
          "last are the zero-based offsets of the first and last bytes to copy"));
    }
    if (b >= source->size) {
      return call->Fail(
          InvalidRequest("The specified copy range is invalid for the source "
                         "object size"));
    }
    first = a;
    length = b - a + 1;
  }
  std::string md5_hex;
  auto segment = CopyBytes(call->store().files(), *source, first, length, md5_hex);
  if (!segment.ok()) return call->Fail(segment.status());
  PartInfo part{*number, length, md5_hex, call->now_ms(), std::move(*segment)};
  http::HttpResponse r;
  r.SetHeader("Content-Type", "application/xml");
  r.body = CopyResult("CopyPartResult", part.etag, part.modified_ms);
  StorePart(call, *upload, std::move(part), std::move(r));
}

}  // namespace lamina::services::s3
