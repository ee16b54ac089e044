// PutObject, GetObject and HeadObject (ranges, conditions, response overrides), DeleteObject,
// DeleteObjects.
#include <charconv>
#include <optional>
#include <pugixml.hpp>

#include "common/time_format.h"
#include "common/xml_writer.h"
#include "services/s3/operations.h"
#include "services/s3/s3_errors.h"
#include "services/s3/upload.h"

namespace lamina::services::s3 {
namespace {

std::optional<uint64_t> ParseUint(std::string_view s) {
  uint64_t v = 0;
  if (s.empty()) return std::nullopt;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

struct ByteRange {
  uint64_t first = 0;
  uint64_t length = 0;
};

// A Range header against an object of `size` bytes: nullopt for the whole object (no header, or
// one S3 ignores), InvalidRange when it cannot be satisfied.
StatusOr<std::optional<ByteRange>> ParseRange(const std::string* header, uint64_t size) {
  if (!header || header->rfind("bytes=", 0) != 0) return std::optional<ByteRange>();
  std::string_view spec = std::string_view(*header).substr(6);
  if (spec.find(',') != std::string_view::npos) return std::optional<ByteRange>();
  size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return std::optional<ByteRange>();
  auto first = ParseUint(spec.substr(0, dash));
  auto last = ParseUint(spec.substr(dash + 1));
  // Malformed ("bytes=0--1", "bytes=a-"): S3 ignores the header.
  if ((dash > 0 && !first) || (dash + 1 < spec.size() && !last)) return std::optional<ByteRange>();
  auto unsatisfiable = [] {
    return lamina::InvalidArgument("The requested range is not satisfiable", "InvalidRange");
  };
  if (!first) {  // bytes=-N: the last N bytes
    if (!last) return std::optional<ByteRange>();
    if (*last == 0) return unsatisfiable();
    uint64_t n = std::min(*last, size);
    if (size == 0) return unsatisfiable();
    return std::optional<ByteRange>(ByteRange{size - n, n});
  }
  if (last && *last < *first) return std::optional<ByteRange>();
  if (*first >= size) return unsatisfiable();
  uint64_t end = last ? std::min(*last, size - 1) : size - 1;
  return std::optional<ByteRange>(ByteRange{*first, end - *first + 1});
}

bool EtagMatches(const std::string& header, const std::string& etag) {
  size_t pos = 0;
  while (pos <= header.size()) {
    size_t comma = header.find(',', pos);
    std::string item =
        header.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    if (item.rfind("W/", 0) == 0) item.erase(0, 2);
    if (item.size() >= 2 && item.front() == '"' && item.back() == '"') {
      item = item.substr(1, item.size() - 2);
    }
    if (item == "*" || item == etag) return true;
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return false;
}

// What the conditional headers make of a read: 0 to go on, 304 or 412.
int CheckConditions(const S3Call& call, const ObjectInfo& object) {
  int64_t modified_s = object.modified_ms / 1000;
  const std::string* if_match = call.Header("if-match");
  const std::string* if_none_match = call.Header("if-none-match");
  if (if_match && !EtagMatches(*if_match, object.etag)) return 412;
  if (!if_match) {
    if (const std::string* h = call.Header("if-unmodified-since")) {
      auto t = ParseHttpDate(*h);
      if (t && modified_s > *t / 1000) return 412;
    }
  }
  if (if_none_match && EtagMatches(*if_none_match, object.etag)) return 304;
  if (!if_none_match) {
    if (const std::string* h = call.Header("if-modified-since")) {
      auto t = ParseHttpDate(*h);
      if (t && modified_s <= *t / 1000) return 304;
    }
  }
  return 0;
}

// The headers GET and HEAD send for `object`.
void SetObjectHeaders(const S3Call& call, const ObjectInfo& object, http::HttpResponse& r) {
  for (const auto& [name, value] : object.headers) r.SetHeader(name, value);
  r.SetHeader("ETag", Quoted(object.etag));
  r.SetHeader("Last-Modified", FormatHttpDate(object.modified_ms));
  r.SetHeader("Accept-Ranges", "bytes");
  if (!object.tags.empty()) r.SetHeader("x-amz-tagging-count", std::to_string(object.tags.size()));
  // response-content-type=... and its kin override the stored headers of a GET.
  static constexpr std::pair<std::string_view, std::string_view> kOverrides[] = {
      {"response-content-type", "Content-Type"},
      {"response-content-language", "Content-Language"},
      {"response-expires", "Expires"},
      {"response-cache-control", "Cache-Control"},
      {"response-content-disposition", "Content-Disposition"},
      {"response-content-encoding", "Content-Encoding"},
  };
  for (const auto& [param, header] : kOverrides) {
    if (const std::string* v = call.s3.Query(param)) r.SetHeader(std::string(header), *v);
  }
}

void ReadObject(const CallPtr& call, int attempt);

// Answers a GET or HEAD of `object`, all of it or `range` (206).
void SendBody(const CallPtr& call, const ObjectInfo& object, std::optional<ByteRange> range,
              http::HttpResponse& r, int attempt) {
  SetObjectHeaders(*call, object, r);
  uint64_t first = 0, length = object.size;
  if (range) {
    first = range->first;
    length = range->length;
    r.status = 206;
    r.SetHeader("Content-Range", "bytes " + std::to_string(first) + "-" +
                                     std::to_string(first + length - 1) + "/" +
                                     std::to_string(object.size));
  }
  r.SetHeader("Content-Length", std::to_string(length));
  if (call->request.method == "HEAD") return call->Reply(std::move(r));
  if (object.segments.empty()) {
    r.body = object.inline_body.substr(first, length);
    return call->Reply(std::move(r));
  }
  auto source = call->store().files().Read(object.segments, first, length);
  if (!source.ok()) {
    // Replaced between reading its row and opening its files: read the new one.
    if (source.status().code() == Code::kNotFound && attempt < 3) {
      return ReadObject(call, attempt + 1);
    }
    return call->Fail(source.status());
  }
  r.body_source = std::move(*source);
  call->Reply(std::move(r));
}

void ReadObject(const CallPtr& call, int attempt) {
  bool head = call->request.method == "HEAD";
  auto found = call->store().GetObject(call->s3.bucket, call->s3.key, /*with_body=*/!head);
  if (!found.ok()) return call->Fail(found.status());
  if (!*found) return call->FailMissingObject();
  ObjectInfo& object = **found;
  http::HttpResponse r;
  if (int condition = CheckConditions(*call, object); condition == 304) {
    r.status = 304;
    r.SetHeader("ETag", Quoted(object.etag));
    r.SetHeader("Last-Modified", FormatHttpDate(object.modified_ms));
    return call->Reply(std::move(r));
  } else if (condition == 412) {
    return call->Fail(
        FailedPrecondition("At least one of the pre-conditions you specified did "
                           "not hold",
                           "PreconditionFailed"));
  }
  // ?partNumber=N reads the part N of a multipart object (of another object, part 1 is all of
  // it, as a 206 all the same).
  if (call->s3.Has("partNumber")) {
    auto number = IntParameter(call->s3, "partNumber", 0, 1, 10000,
                               "Part number must be an integer between 1 and 10000, inclusive",
                               /*strict=*/true);
    if (!number.ok()) return call->Fail(number.status());
    int parts = object.parts > 0 ? object.parts : 1;
    if (*number > parts) {
      return call->Fail(lamina::InvalidArgument("The requested partnumber is not satisfiable",
                                                "InvalidPartNumber"));
    }
    if (object.parts == 0) return SendBody(call, object, ByteRange{0, object.size}, r, attempt);
    uint64_t first = 0;
    for (int i = 0; i + 1 < *number; ++i) first += object.segments[i].size;
    r.SetHeader("x-amz-mp-parts-count", std::to_string(object.parts));
    return SendBody(call, object, ByteRange{first, object.segments[*number - 1].size}, r, attempt);
  }
  auto range = ParseRange(call->Header("range"), object.size);
  if (!range.ok()) {
    http::HttpResponse error = ErrorResponse(range.status(), call->context.request_id);
    error.SetHeader("Content-Range", "bytes */" + std::to_string(object.size));
    return call->Reply(std::move(error));
  }
  if (*range) return SendBody(call, object, **range, r, attempt);
  SendBody(call, object, std::nullopt, r, attempt);
}

}  // namespace

void PutObject(const CallPtr& call) {
  auto attributes = AttributesOf(*call);
  if (!attributes.ok()) return call->Fail(attributes.status());
  auto upload = TakeUpload(call, /*inline_allowed=*/true);
  if (!upload.ok()) return call->Fail(upload.status());
  ObjectInfo object;
  object.bucket = call->s3.bucket;
  object.key = call->s3.key;
  object.size = (*upload)->size();
  object.etag = (*upload)->md5_hex();
  object.modified_ms = call->now_ms();
  object.headers = std::move(attributes->headers);
  object.tags = std::move(attributes->tags);
  if ((*upload)->in_memory()) {
    object.inline_body = std::move((*upload)->body());
  } else {
    auto segment = (*upload)->Place();
    if (!segment.ok()) return call->Fail(segment.status());
    object.segments.push_back(std::move(*segment));
  }
  ObjectEvent event = MakeEvent(*call, "ObjectCreated:Put", object.key, object.size, object.etag);
  std::string etag = object.etag;
  call->store().PutObject(std::move(object), [call, event = std::move(event),
                                              etag = std::move(etag)](Status s) mutable {
    if (!s.ok()) return call->Fail(s);
    http::HttpResponse r;
    r.SetHeader("ETag", Quoted(etag));
    NotifyThenReply(call, {std::move(event)}, std::move(r));
  });
}

void GetObject(const CallPtr& call) { ReadObject(call, 0); }

void DeleteObject(const CallPtr& call) {
  std::vector<bool> existed;
  if (Status s = call->store().DeleteObjects(call->s3.bucket, {call->s3.key}, &existed); !s.ok()) {
    return call->Fail(s);
  }
  http::HttpResponse r;
  r.status = 204;
  std::vector<ObjectEvent> events;
  if (existed[0]) events.push_back(MakeEvent(*call, "ObjectRemoved:Delete", call->s3.key));
  NotifyThenReply(call, std::move(events), std::move(r));
}

void DeleteObjects(const CallPtr& call) {
  pugi::xml_document doc;
  const std::string& body = call->request.body;
  // A key of spaces only is a key: keep whitespace-only text.
  if (!doc.load_buffer(body.data(), body.size(),
                       pugi::parse_default | pugi::parse_ws_pcdata_single)) {
    return call->Fail(MalformedXml());
  }
  pugi::xml_node root = doc.child("Delete");
  if (!root) return call->Fail(MalformedXml());
  bool quiet = std::string_view(root.child_value("Quiet")) == "true";
  std::vector<std::string> keys;
  for (pugi::xml_node object : root.children("Object")) {
    if (!object.child("Key")) return call->Fail(MalformedXml());
    keys.emplace_back(object.child_value("Key"));
  }
  if (keys.empty() || keys.size() > 1000) return call->Fail(MalformedXml());
  std::vector<bool> existed;
  if (Status s = call->store().DeleteObjects(call->s3.bucket, keys, &existed); !s.ok()) {
    return call->Fail(s);
  }
  XmlWriter xml;
  xml.Open("DeleteResult", kXmlns);
  std::vector<ObjectEvent> events;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (existed[i]) events.push_back(MakeEvent(*call, "ObjectRemoved:Delete", keys[i]));
    if (quiet) continue;
    xml.Open("Deleted");
    xml.Element("Key", keys[i]);
    xml.Close();
  }
  http::HttpResponse r;
  r.SetHeader("Content-Type", "application/xml");
  r.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + xml.Finish();
  NotifyThenReply(call, std::move(events), std::move(r));
}

}  // namespace lamina::services::s3
