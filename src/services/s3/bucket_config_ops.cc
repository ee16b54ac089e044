// A bucket's configuration documents, one sub-resource each: policy, notification, tagging,
// versioning, cors, acl. Each kind says how a document is checked when put and what a GET
// answers when none is stored.
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "common/xml_writer.h"
#include "services/s3/operations.h"
#include "services/s3/s3_errors.h"
#include "services/s3/tagging.h"

namespace lamina::services::s3 {
namespace {

struct ConfigKind {
  std::string_view subresource;
  // Checks a document and returns what to store (nullopt: store nothing, as a delete).
  StatusOr<std::optional<std::string>> (*check)(const CallPtr& call);
  // The answer to GET when nothing is stored: an error, or a default document.
  Status (*missing)();
  std::string (*default_document)(const S3Call& call);
  const char* content_type;
  int put_status;
};

StatusOr<std::optional<std::string>> CheckPolicy(const CallPtr& call) {
  const std::string& body = call->request.body;
  nlohmann::json doc = nlohmann::json::parse(body, nullptr, false);
  if (body.empty() || body.front() != '{' || doc.is_discarded() || !doc.is_object()) {
    return lamina::InvalidArgument("Policies must be valid JSON and the first byte must be '{'",
                                   "MalformedPolicy");
  }
  if (!doc.contains("Statement")) {
    return lamina::InvalidArgument("Missing required field Statement", "MalformedPolicy");
  }
  if (body.size() > 20 * 1024) {
    return lamina::InvalidArgument("Policy exceeds the maximum allowed document size.",
                                   "MalformedPolicy");
  }
  return std::optional<std::string>(body);
}

StatusOr<std::optional<std::string>> CheckNotification(const CallPtr& call) {
  ASSIGN_OR_RETURN(NotificationConfig config, ParseNotificationConfig(call->request.body));
  if (!config.functions.empty()) {
    if (!call->deps.targets) {
      return InvalidArgument(
          "Unable to validate the following destination configurations: functions cannot run "
          "on this host");
    }
    RETURN_IF_ERROR(
        ValidateTargets(config, *call->deps.targets, call->s3.bucket, call->context.account_id));
  }
  if (config.functions.empty() && !config.event_bridge) return std::optional<std::string>();
  return std::optional<std::string>(RenderNotificationConfig(config));
}

StatusOr<std::optional<std::string>> CheckTagging(const CallPtr& call) {
  ASSIGN_OR_RETURN(TagSet tags, ParseTagging(call->request.body));
  if (tags.empty()) return std::optional<std::string>();  // no tags: none to get
  if (tags.size() > 50) {
    return lamina::InvalidArgument("Bucket tag count cannot be greater than 50", "InvalidTag");
  }
  for (size_t i = 0; i < tags.size(); ++i) {
    if (tags[i].first.rfind("aws:", 0) == 0) {
      return lamina::InvalidArgument("System tags cannot be added/updated by requester",
                                     "InvalidTag");
    }
    for (size_t j = 0; j < i; ++j) {
      if (tags[i].first == tags[j].first) {
        return lamina::InvalidArgument("Cannot provide multiple Tags with the same key",
                                       "InvalidTag");
      }
    }
  }
  return std::optional<std::string>(RenderTagging(tags));
}

StatusOr<std::optional<std::string>> CheckVersioning(const CallPtr& call) {
  pugi::xml_document doc;
  const std::string& body = call->request.body;
  if (!doc.load_buffer(body.data(), body.size())) return MalformedXml();
  std::string status = doc.child("VersioningConfiguration").child_value("Status");
  if (status == "Enabled") return NotImplemented("object versioning (Status Enabled)");
  if (status != "Suspended") return MalformedXml();
  return std::optional<std::string>(body);
}

StatusOr<std::optional<std::string>> CheckCors(const CallPtr& call) {
  pugi::xml_document doc;
  const std::string& body = call->request.body;
  if (!doc.load_buffer(body.data(), body.size()) || !doc.child("CORSConfiguration")) {
    return MalformedXml();
  }
  return std::optional<std::string>(body);
}

// Only the owner has access to a Lamina bucket: the canned ACL "private" is the only one.
StatusOr<std::optional<std::string>> CheckAcl(const CallPtr& call) {
  const std::string* canned = call->Header("x-amz-acl");
  if ((canned && *canned != "private") || !call->request.body.empty()) {
    return NotImplemented("access control lists other than the canned ACL private");
  }
  return std::optional<std::string>();
}

std::string PrivateAcl(const S3Call& call) {
  XmlWriter xml;
  xml.Open("AccessControlPolicy", kXmlns);
  WriteOwner(xml, "Owner", call.context.account_id);
  xml.Open("AccessControlList");
  xml.Raw(
      "<Grant><Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
      "xsi:type=\"CanonicalUser\"><ID>" +
      OwnerId(call.context.account_id) +
      "</ID><DisplayName>lamina</DisplayName></Grantee><Permission>FULL_CONTROL</Permission>"
      "</Grant>");
  return xml.Finish();
}

Status NoPolicy() { return NotFound("The bucket policy does not exist", "NoSuchBucketPolicy"); }
Status NoTagSet() { return NotFound("The TagSet does not exist", "NoSuchTagSet"); }
Status NoCors() {
  return NotFound("The CORS configuration does not exist", "NoSuchCORSConfiguration");
}
std::string EmptyNotification(const S3Call&) {
  return "<NotificationConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"/>";
}
std::string EmptyVersioning(const S3Call&) {
  return "<VersioningConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"/>";
}

const ConfigKind kKinds[] = {
    {"policy", CheckPolicy, NoPolicy, nullptr, "application/json", 204},
    {"notification", CheckNotification, nullptr, EmptyNotification, "application/xml", 200},
    {"tagging", CheckTagging, NoTagSet, nullptr, "application/xml", 204},
    {"versioning", CheckVersioning, nullptr, EmptyVersioning, "application/xml", 200},
    {"cors", CheckCors, NoCors, nullptr, "application/xml", 200},
    {"acl", CheckAcl, nullptr, PrivateAcl, "application/xml", 200},
};

const ConfigKind* KindOf(const S3Call& call) {
  for (const ConfigKind& k : kKinds) {
    if (call.s3.Has(k.subresource)) return &k;
  }
  return nullptr;
}

bool BucketExists(const CallPtr& call) {
  auto bucket = call->store().GetBucket(call->s3.bucket);
  if (!bucket.ok()) {
    call->Fail(bucket.status());
    return false;
  }
  if (!*bucket) call->Fail(NoSuchBucket());
  return bucket->has_value();
}

}  // namespace

void GetBucketConfig(const CallPtr& call) {
  const ConfigKind* kind = KindOf(*call);
  if (!BucketExists(call)) return;
  auto document = call->store().GetConfig(call->s3.bucket, std::string(kind->subresource));
  if (!document.ok()) return call->Fail(document.status());
  http::HttpResponse r;
  r.SetHeader("Content-Type", kind->content_type);
  if (*document) {
    r.body = std::move(**document);
  } else if (kind->missing) {
    return call->Fail(kind->missing());
  } else {
    r.body = kind->default_document(*call);
  }
  if (r.body.front() == '<') r.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + r.body;
  call->Reply(std::move(r));
}

void PutBucketConfig(const CallPtr& call) {
  const ConfigKind* kind = KindOf(*call);
  if (!BucketExists(call)) return;
  auto document = kind->check(call);
  if (!document.ok()) return call->Fail(document.status());
  Status s = call->store().PutConfig(call->s3.bucket, std::string(kind->subresource),
                                     std::move(*document));
  if (!s.ok()) return call->Fail(s);
  call->ReplyEmpty(kind->put_status);
}

void DeleteBucketConfig(const CallPtr& call) {
  const ConfigKind* kind = KindOf(*call);
  Status s = call->store().PutConfig(call->s3.bucket, std::string(kind->subresource), std::nullopt);
  if (!s.ok()) return call->Fail(s);
  call->ReplyEmpty(204);
}

namespace {

bool ObjectExists(const CallPtr& call) {
  auto object = call->store().GetObject(call->s3.bucket, call->s3.key, /*with_body=*/false);
  if (!object.ok()) {
    call->Fail(object.status());
    return false;
  }
  if (!*object) call->FailMissingObject();
  return object->has_value();
}

}  // namespace

void GetObjectAcl(const CallPtr& call) {
  if (!ObjectExists(call)) return;
  call->ReplyXml(PrivateAcl(*call));
}

void PutObjectAcl(const CallPtr& call) {
  if (!ObjectExists(call)) return;
  auto checked = CheckAcl(call);
  if (!checked.ok()) return call->Fail(checked.status());
  call->ReplyEmpty();
}

}  // namespace lamina::services::s3
