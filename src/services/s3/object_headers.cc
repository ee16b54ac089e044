// What a new object takes from its request: its headers, tags and body.
#include <algorithm>

#include "common/uri.h"
#include "services/s3/operations.h"
#include "services/s3/s3_errors.h"

namespace lamina::services::s3 {
namespace {

constexpr std::string_view kContentHeaders[] = {
    "content-type",
    "content-encoding",
    "content-disposition",
    "content-language",
    "cache-control",
    "expires",
    "x-amz-website-redirect-location",
    "x-amz-storage-class",
};

// S3's header names as it sends them back.
std::string WireName(const std::string& lower) {
  if (lower.rfind("x-amz-", 0) == 0) return lower;
  std::string out = lower;
  bool up = true;
  for (char& c : out) {
    if (up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    up = c == '-';
  }
  return out;
}

}  // namespace

StatusOr<HeaderList> StoredHeaders(const http::HttpRequest& request) {
  HeaderList out;
  size_t meta_bytes = 0;
  for (std::string_view name : kContentHeaders) {
    const std::string* value = request.Header(name);
    if (!value) continue;
    std::string v = *value;
    if (name == "content-encoding") {
      // aws-chunked is the upload's framing, not the object's encoding.
      std::string kept;
      size_t pos = 0;
      while (pos <= v.size()) {
        size_t comma = v.find(',', pos);
        std::string item =
            v.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        item.erase(0, item.find_first_not_of(' '));
        item.erase(item.find_last_not_of(' ') + 1);
        if (!item.empty() && item != "aws-chunked") kept += (kept.empty() ? "" : ",") + item;
        if (comma == std::string::npos) break;
        pos = comma + 1;
      }
      if (kept.empty()) continue;
      v = kept;
    }
    if (name == "x-amz-storage-class") {
      static constexpr std::string_view kClasses[] = {"STANDARD",
                                                      "REDUCED_REDUNDANCY",
                                                      "STANDARD_IA",
                                                      "ONEZONE_IA",
                                                      "INTELLIGENT_TIERING",
                                                      "GLACIER",
                                                      "DEEP_ARCHIVE",
                                                      "OUTPOSTS",
                                                      "GLACIER_IR",
                                                      "SNOW",
                                                      "EXPRESS_ONEZONE"};
      if (std::find(std::begin(kClasses), std::end(kClasses), v) == std::end(kClasses)) {
        return lamina::InvalidArgument("The storage class you specified is not valid",
                                       "InvalidStorageClass");
      }
      if (v == "STANDARD") continue;
    }
    out.emplace_back(WireName(std::string(name)), std::move(v));
  }
  if (!request.Header("content-type")) out.emplace_back("Content-Type", "binary/octet-stream");
  for (const auto& [name, value] : request.headers) {
    if (name.rfind("x-amz-meta-", 0) != 0) continue;
    meta_bytes += name.size() - 11 + value.size();
    out.emplace_back(name, value);
  }
  if (meta_bytes > 2048) {
    return lamina::InvalidArgument("Your metadata headers exceed the maximum allowed metadata size",
                                   "MetadataTooLarge");
  }
  return out;
}

Status ValidateTags(const TagSet& tags) {
  auto invalid = [](std::string m) { return lamina::InvalidArgument(std::move(m), "InvalidTag"); };
  if (tags.size() > 10) {
    return lamina::InvalidArgument("Object tags cannot be greater than 10", "BadRequest");
  }
  for (size_t i = 0; i < tags.size(); ++i) {
    const auto& [k, v] = tags[i];
    if (k.empty() || k.size() > 128) return invalid("The TagKey you have provided is invalid");
    if (k.rfind("aws:", 0) == 0) {
      return invalid("Your TagKey cannot be prefixed with aws:");
    }
    if (v.size() > 256) return invalid("The TagValue you have provided is invalid");
    for (size_t j = 0; j < i; ++j) {
      if (tags[j].first == k) return invalid("Cannot provide multiple Tags with the same key");
    }
  }
  return Status::Ok();
}

StatusOr<TagSet> TagsFromHeader(const http::HttpRequest& request) {
  TagSet tags;
  const std::string* header = request.Header("x-amz-tagging");
  if (!header) return tags;
  QueryParams params;
  if (!ParseQuery(*header, params, /*plus_is_space=*/true)) {
    return lamina::InvalidArgument(
        "The header 'x-amz-tagging' shall be encoded as UTF-8 then "
        "URLEncoded URL query parameters without tag name duplicates.",
        "InvalidArgument");
  }
  for (auto& [k, v] : params) tags.emplace_back(std::move(k), std::move(v));
  RETURN_IF_ERROR(ValidateTags(tags));
  return tags;
}

Status ValidateKey(const std::string& key) {
  if (key.size() > 1024) {
    return lamina::InvalidArgument("Your key is too long", "KeyTooLongError");
  }
  return Status::Ok();
}

StatusOr<NewObjectAttributes> AttributesOf(const S3Call& call) {
  RETURN_IF_ERROR(ValidateKey(call.s3.key));
  NewObjectAttributes out;
  ASSIGN_OR_RETURN(out.headers, StoredHeaders(call.request));
  ASSIGN_OR_RETURN(out.tags, TagsFromHeader(call.request));
  return out;
}

StatusOr<std::shared_ptr<Upload>> TakeUpload(const CallPtr& call, bool inline_allowed) {
  if (call->request.body_sink) return std::static_pointer_cast<Upload>(call->request.body_sink);
  auto upload = std::make_shared<Upload>(&call->store().files(), call->request,
                                         call->context.chunk_signing, inline_allowed);
  RETURN_IF_ERROR(upload->Take(call->request.body));
  call->request.body.clear();
  return upload;
}

}  // namespace lamina::services::s3
