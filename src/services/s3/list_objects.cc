// ListObjects (V1: marker) and ListObjectsV2 (continuation token, start-after): prefix,
// delimiter roll-up into CommonPrefixes, MaxKeys, EncodingType=url.
#include <optional>

#include "common/crypto.h"
#include "common/time_format.h"
#include "common/uri.h"
#include "common/xml_writer.h"
#include "services/s3/operations.h"
#include "services/s3/s3_errors.h"

namespace lamina::services::s3 {
namespace {

struct Listing {
  std::vector<ObjectEntry> contents;
  std::vector<std::string> prefixes;
  bool truncated = false;
  std::string last;  // the last key or common prefix listed
};

// Lists up to `max_keys` keys and common prefixes after `after`. UTF-8 never holds a 0xFF byte,
// so `cp + "\xff"` is past every key under the common prefix `cp`.
StatusOr<Listing> List(ObjectStore& store, const std::string& bucket, const std::string& prefix,
                       const std::string& delimiter, std::string after, int max_keys) {
  Listing out;
  int listed = 0;
  while (true) {
    int batch = std::min(1000, max_keys - listed + 1);
    ASSIGN_OR_RETURN(std::vector<ObjectEntry> rows,
                     store.ListObjects(bucket, prefix, after, batch));
    if (rows.empty()) return out;
    for (ObjectEntry& row : rows) {
      std::string common;
      if (!delimiter.empty()) {
        size_t at = row.key.find(delimiter, prefix.size());
        if (at != std::string::npos) common = row.key.substr(0, at + delimiter.size());
      }
      if (listed == max_keys) {
        out.truncated = true;
        return out;
      }
      if (!common.empty()) {
        after = common + "\xff";
        if (!out.prefixes.empty() && out.prefixes.back() == common) continue;
        out.prefixes.push_back(common);
        out.last = common;
        ++listed;
        break;  // the rows fetched past the prefix may all be under it: fetch from after it
      }
      after = row.key;
      out.last = row.key;
      out.contents.push_back(std::move(row));
      ++listed;
    }
    if (static_cast<int>(rows.size()) < batch && after == rows.back().key) return out;
  }
}

std::string Encoded(const std::string& value, bool url) {
  return url ? UriEncode(value, /*keep_slash=*/true) : value;
}

void WriteCommonPrefixes(XmlWriter& xml, const std::vector<std::string>& prefixes, bool url) {
  for (const std::string& p : prefixes) {
    xml.Open("CommonPrefixes");
    xml.Element("Prefix", Encoded(p, url));
    xml.Close();
  }
}

// Lists the call's bucket after `marker`: a marker that is a common prefix was listed whole.
StatusOr<Listing> ListAfter(const S3Call& call, const std::string& prefix,
                            const std::string& delimiter, const std::string& marker, int max_keys) {
  ASSIGN_OR_RETURN(std::optional<BucketInfo> bucket, call.deps.store->GetBucket(call.s3.bucket));
  if (!bucket) return NoSuchBucket();
  std::string from = marker;
  if (!delimiter.empty() && !marker.empty() && marker.rfind(prefix, 0) == 0) {
    size_t at = marker.find(delimiter, prefix.size());
    if (at != std::string::npos && at + delimiter.size() == marker.size()) from = marker + "\xff";
  }
  return List(*call.deps.store, call.s3.bucket, prefix, delimiter, from, max_keys);
}

}  // namespace

void ListObjects(const CallPtr& call) {
  const S3Request& q = call->s3;
  bool v2 = q.Query("list-type") && *q.Query("list-type") == "2";
  std::string prefix = q.Value("prefix"), delimiter = q.Value("delimiter");
  std::string encoding = q.Value("encoding-type");
  if (!encoding.empty() && encoding != "url") {
    return call->Fail(InvalidArgument("Invalid Encoding Method specified in Request"));
  }
  bool url = encoding == "url";
  auto max_keys = IntParameter(q, "max-keys", 1000, 0, 1000,
                               "Provided max-keys not an integer or within integer range");
  if (!max_keys.ok()) return call->Fail(max_keys.status());
  std::string after, token;
  if (v2) {
    if (const std::string* t = q.Query("continuation-token")) {
      token = *t;
      if (!Base64Decode(token, after) || after.empty()) {
        return call->Fail(InvalidArgument("The continuation token provided is incorrect"));
      }
    } else {
      after = q.Value("start-after");
    }
  } else {
    after = q.Value("marker");
  }
  auto listing = ListAfter(*call, prefix, delimiter, after, *max_keys);
  if (!listing.ok()) return call->Fail(listing.status());

  XmlWriter xml;
  xml.Open("ListBucketResult", kXmlns);
  xml.Element("Name", q.bucket);
  xml.Element("Prefix", Encoded(prefix, url));
  if (v2) {
    if (q.Has("continuation-token")) xml.Element("ContinuationToken", token);
    if (q.Has("start-after")) xml.Element("StartAfter", Encoded(q.Value("start-after"), url));
    xml.Element("KeyCount", std::to_string(listing->contents.size() + listing->prefixes.size()));
  } else {
    xml.Element("Marker", Encoded(after, url));
  }
  xml.Element("MaxKeys", std::to_string(*max_keys));
  if (!delimiter.empty()) xml.Element("Delimiter", Encoded(delimiter, url));
  if (url) xml.Element("EncodingType", "url");
  xml.Element("IsTruncated", listing->truncated ? "true" : "false");
  if (listing->truncated) {
    if (v2) {
      xml.Element("NextContinuationToken", Base64Encode(listing->last));
    } else if (!delimiter.empty()) {
      xml.Element("NextMarker", Encoded(listing->last, url));
    }
  }
  bool owner = !v2 || q.Value("fetch-owner") == "true";
  for (const ObjectEntry& o : listing->contents) {
    xml.Open("Contents");
    xml.Element("Key", Encoded(o.key, url));
    xml.Element("LastModified", FormatIso8601Millis(o.modified_ms));
    xml.Element("ETag", Quoted(o.etag));
    xml.Element("Size", std::to_string(o.size));
    xml.Element("StorageClass", o.storage_class);
    if (owner) {
      WriteOwner(xml, "Owner", call->context.account_id);
    }
    xml.Close();
  }
  WriteCommonPrefixes(xml, listing->prefixes, url);
  call->ReplyXml(xml.Finish());
}

void ListObjectVersions(const CallPtr& call) {
  const S3Request& q = call->s3;
  std::string prefix = q.Value("prefix"), delimiter = q.Value("delimiter"),
              marker = q.Value("key-marker");
  bool url = q.Value("encoding-type") == "url";
  auto max_keys = IntParameter(q, "max-keys", 1000, 0, 1000,
                               "Provided max-keys not an integer or within integer range");
  if (!max_keys.ok()) return call->Fail(max_keys.status());
  // Every key has one version, so the version-id marker adds nothing to the key marker.
  auto listing = ListAfter(*call, prefix, delimiter, marker, *max_keys);
  if (!listing.ok()) return call->Fail(listing.status());
  XmlWriter xml;
  xml.Open("ListVersionsResult", kXmlns);
  xml.Element("Name", q.bucket);
  xml.Element("Prefix", Encoded(prefix, url));
  xml.Element("KeyMarker", Encoded(marker, url));
  xml.Element("VersionIdMarker", q.Value("version-id-marker"));
  xml.Element("MaxKeys", std::to_string(*max_keys));
  if (!delimiter.empty()) xml.Element("Delimiter", Encoded(delimiter, url));
  if (url) xml.Element("EncodingType", "url");
  xml.Element("IsTruncated", listing->truncated ? "true" : "false");
  if (listing->truncated) {
    xml.Element("NextKeyMarker", Encoded(listing->last, url));
    xml.Element("NextVersionIdMarker", "null");
  }
  for (const ObjectEntry& o : listing->contents) {
    xml.Open("Version");
    xml.Element("Key", Encoded(o.key, url));
    xml.Element("VersionId", "null");
    xml.Element("IsLatest", "true");
    xml.Element("LastModified", FormatIso8601Millis(o.modified_ms));
    xml.Element("ETag", Quoted(o.etag));
    xml.Element("Size", std::to_string(o.size));
    xml.Element("StorageClass", o.storage_class);
    WriteOwner(xml, "Owner", call->context.account_id);
    xml.Close();
  }
  WriteCommonPrefixes(xml, listing->prefixes, url);
  call->ReplyXml(xml.Finish());
}

}  // namespace lamina::services::s3
