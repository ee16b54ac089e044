// Multipart uploads: CreateMultipartUpload, UploadPart, CompleteMultipartUpload,
// AbortMultipartUpload, ListParts, ListMultipartUploads. (UploadPartCopy: copy_object.cc.)
#include <pugixml.hpp>

#include "common/crypto.h"
#include "common/time_format.h"
#include "common/xml_writer.h"
#include "services/s3/multipart.h"
#include "services/s3/operations.h"
#include "services/s3/s3_errors.h"
#include "services/s3/upload.h"

namespace lamina::services::s3 {
namespace {

std::string Unquoted(std::string etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, etag.size() - 2);
  }
  return etag;
}

}  // namespace

StatusOr<UploadInfo> FindUpload(const S3Call& call) {
  const std::string* id = call.s3.Query("uploadId");
  auto upload = call.deps.store->GetUpload(call.s3.bucket, call.s3.key, id ? *id : "");
  if (!upload.ok()) return upload.status();
  if (!*upload) {
    return NotFound(
        "The specified upload does not exist. The upload ID may be invalid, or the upload may "
        "have been aborted or completed.",
        "NoSuchUpload");
  }
  return std::move(**upload);
}

StatusOr<int> PartNumber(const S3Call& call) {
  if (!call.s3.Has("partNumber")) {
    return InvalidArgument("Part number must be an integer between 1 and 10000, inclusive");
  }
  return IntParameter(call.s3, "partNumber", -1, 1, 10000,
                      "Part number must be an integer between 1 and 10000, inclusive",
                      /*strict=*/true);
}

void StorePart(const CallPtr& call, const UploadInfo& upload, PartInfo part,
               http::HttpResponse response) {
  call->store().PutPart(upload.upload_id, std::move(part),
                        [call, response = std::move(response)](Status s) mutable {
                          if (!s.ok()) return call->Fail(s);
                          call->Reply(std::move(response));
                        });
}

void CreateMultipartUpload(const CallPtr& call) {
  auto attributes = AttributesOf(*call);
  if (!attributes.ok()) return call->Fail(attributes.status());
  UploadInfo upload{HexEncode(UniqueBytes(24)),
                    call->s3.bucket,
                    call->s3.key,
                    call->now_ms(),
                    std::move(attributes->headers),
                    std::move(attributes->tags)};
  if (Status s = call->store().CreateUpload(upload); !s.ok()) return call->Fail(s);
  XmlWriter xml;
  xml.Open("InitiateMultipartUploadResult", kXmlns);
  xml.Element("Bucket", upload.bucket);
  xml.Element("Key", upload.key);
  xml.Element("UploadId", upload.upload_id);
  call->ReplyXml(xml.Finish());
}

void UploadPart(const CallPtr& call) {
  auto number = PartNumber(*call);
  if (!number.ok()) return call->Fail(number.status());
  auto upload = FindUpload(*call);
  if (!upload.ok()) return call->Fail(upload.status());
  auto taken = TakeUpload(call, /*inline_allowed=*/false);
  if (!taken.ok()) return call->Fail(taken.status());
  std::shared_ptr<Upload> body = std::move(*taken);
  auto segment = body->Place();
  if (!segment.ok()) return call->Fail(segment.status());
  PartInfo part{*number, body->size(), body->md5_hex(), call->now_ms(), std::move(*segment)};
  http::HttpResponse r;
  r.SetHeader("ETag", Quoted(part.etag));
  StorePart(call, *upload, std::move(part), std::move(r));
}

void CompleteMultipartUpload(const CallPtr& call) {
  pugi::xml_document doc;
  const std::string& body = call->request.body;
  if (!doc.load_buffer(body.data(), body.size())) return call->Fail(MalformedXml());
  pugi::xml_node root = doc.child("CompleteMultipartUpload");
  if (!root) return call->Fail(MalformedXml());
  std::vector<CompletedPart> parts;
  for (pugi::xml_node p : root.children("Part")) {
    int number = p.child("PartNumber").text().as_int(-1);
    if (number < 1) return call->Fail(MalformedXml());
    parts.push_back({number, Unquoted(p.child_value("ETag"))});
  }
  if (parts.empty()) return call->Fail(MalformedXml());
  auto upload = FindUpload(*call);
  if (!upload.ok()) return call->Fail(upload.status());
  call->store().CompleteUpload(
      *upload, std::move(parts), call->now_ms(), [call](StatusOr<ObjectInfo> object) {
        if (!object.ok()) return call->Fail(object.status());
        XmlWriter xml;
        xml.Open("CompleteMultipartUploadResult", kXmlns);
        xml.Element("Location",
                    "http://" + call->context.host + "/" + call->s3.bucket + "/" + call->s3.key);
        xml.Element("Bucket", call->s3.bucket);
        xml.Element("Key", call->s3.key);
        xml.Element("ETag", Quoted(object->etag));
        http::HttpResponse r;
        r.SetHeader("Content-Type", "application/xml");
        r.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + xml.Finish();
        NotifyThenReply(call,
                        {MakeEvent(*call, "ObjectCreated:CompleteMultipartUpload", object->key,
                                   object->size, object->etag)},
                        std::move(r));
      });
}

void AbortMultipartUpload(const CallPtr& call) {
  const std::string* id = call->s3.Query("uploadId");
  Status s = call->store().AbortUpload(call->s3.bucket, call->s3.key, id ? *id : "");
  if (!s.ok()) return call->Fail(s);
  call->ReplyEmpty(204);
}

void ListParts(const CallPtr& call) {
  auto upload = FindUpload(*call);
  if (!upload.ok()) return call->Fail(upload.status());
  auto max_parts = IntParameter(call->s3, "max-parts", 1000, 0, 1000,
                                "Provided max-parts not an integer or within integer range");
  if (!max_parts.ok()) return call->Fail(max_parts.status());
  auto marker = IntParameter(call->s3, "part-number-marker", 0, 0, 10000,
                             "Provided part-number-marker not an integer or within integer range");
  if (!marker.ok()) return call->Fail(marker.status());
  auto parts = call->store().ListParts(upload->upload_id, *marker, *max_parts + 1);
  if (!parts.ok()) return call->Fail(parts.status());
  bool truncated = static_cast<int>(parts->size()) > *max_parts;
  if (truncated) parts->resize(static_cast<size_t>(*max_parts));
  XmlWriter xml;
  xml.Open("ListPartsResult", kXmlns);
  xml.Element("Bucket", upload->bucket);
  xml.Element("Key", upload->key);
  xml.Element("UploadId", upload->upload_id);
  WriteOwner(xml, "Initiator", call->context.account_id);
  WriteOwner(xml, "Owner", call->context.account_id);
  xml.Element("StorageClass", "STANDARD");
  xml.Element("PartNumberMarker", std::to_string(*marker));
  xml.Element("NextPartNumberMarker", std::to_string(parts->empty() ? 0 : parts->back().number));
  xml.Element("MaxParts", std::to_string(*max_parts));
  xml.Element("IsTruncated", truncated ? "true" : "false");
  for (const PartInfo& p : *parts) {
    xml.Open("Part");
    xml.Element("PartNumber", std::to_string(p.number));
    xml.Element("LastModified", FormatIso8601Millis(p.modified_ms));
    xml.Element("ETag", Quoted(p.etag));
    xml.Element("Size", std::to_string(p.size));
    xml.Close();
  }
  call->ReplyXml(xml.Finish());
}

void ListMultipartUploads(const CallPtr& call) {
  auto bucket = call->store().GetBucket(call->s3.bucket);
  if (!bucket.ok()) return call->Fail(bucket.status());
  if (!*bucket) return call->Fail(NoSuchBucket());
  auto max_uploads = IntParameter(call->s3, "max-uploads", 1000, 0, 1000,
                                  "Provided max-uploads not an integer or within integer range");
  if (!max_uploads.ok()) return call->Fail(max_uploads.status());
  std::string prefix = call->s3.Value("prefix"), delimiter = call->s3.Value("delimiter");
  std::string key_marker = call->s3.Value("key-marker");
  std::string id_marker = key_marker.empty() ? "" : call->s3.Value("upload-id-marker");
  // Uploads after the markers, their keys rolled up at the delimiter into common prefixes (UTF-8
  // never holds 0xFF, so `prefix + "\xff"` is past every key under it).
  std::vector<UploadInfo> uploads;
  std::vector<std::string> prefixes;
  bool truncated = false;
  std::string after_key = key_marker, after_id = id_marker;
  std::string last_key, last_id;  // the last upload or common prefix listed
  while (!truncated) {
    auto batch = call->store().ListUploads(call->s3.bucket, prefix, after_key, after_id, 1000);
    if (!batch.ok()) return call->Fail(batch.status());
    if (batch->empty()) break;
    for (UploadInfo& u : *batch) {
      std::string common;
      if (!delimiter.empty()) {
        size_t at = u.key.find(delimiter, prefix.size());
        if (at != std::string::npos) common = u.key.substr(0, at + delimiter.size());
      }
      if (static_cast<int>(uploads.size() + prefixes.size()) == *max_uploads) {
        truncated = true;
        break;
      }
      if (!common.empty()) {
        prefixes.push_back(common);
        last_key = common;
        last_id.clear();
        after_key = common + "\xff";
        after_id.clear();
        break;  // on from past the prefix
      }
      after_key = last_key = u.key;
      after_id = last_id = u.upload_id;
      uploads.push_back(std::move(u));
    }
    if (batch->size() < 1000 && after_id == batch->back().upload_id) break;
  }
  XmlWriter xml;
  xml.Open("ListMultipartUploadsResult", kXmlns);
  xml.Element("Bucket", call->s3.bucket);
  xml.Element("KeyMarker", key_marker);
  xml.Element("UploadIdMarker", id_marker);
  if (truncated) {
    xml.Element("NextKeyMarker", last_key);
    xml.Element("NextUploadIdMarker", last_id);
  }
  if (!prefix.empty()) xml.Element("Prefix", prefix);
  if (!delimiter.empty()) xml.Element("Delimiter", delimiter);
  xml.Element("MaxUploads", std::to_string(*max_uploads));
  xml.Element("IsTruncated", truncated ? "true" : "false");
  for (const UploadInfo& u : uploads) {
    xml.Open("Upload");
    xml.Element("Key", u.key);
    xml.Element("UploadId", u.upload_id);
    WriteOwner(xml, "Initiator", call->context.account_id);
    WriteOwner(xml, "Owner", call->context.account_id);
    xml.Element("StorageClass", "STANDARD");
    xml.Element("Initiated", FormatIso8601Millis(u.initiated_ms));
    xml.Close();
  }
  for (const std::string& p : prefixes) {
    xml.Open("CommonPrefixes");
    xml.Element("Prefix", p);
    xml.Close();
  }
  call->ReplyXml(xml.Finish());
}

}  // namespace lamina::services::s3
