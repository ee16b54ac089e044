// GetObjectTagging, PutObjectTagging, DeleteObjectTagging, and the Tagging document they share
// with the bucket's tagging.
#include <pugixml.hpp>

#include "common/xml_writer.h"
#include "services/s3/operations.h"
#include "services/s3/s3_errors.h"
#include "services/s3/tagging.h"

namespace lamina::services::s3 {

StatusOr<TagSet> ParseTagging(std::string_view xml) {
  pugi::xml_document doc;
  if (!doc.load_buffer(xml.data(), xml.size(),
                       pugi::parse_default | pugi::parse_ws_pcdata_single)) {
    return MalformedXml();
  }
  pugi::xml_node set = doc.child("Tagging").child("TagSet");
  if (!set) return MalformedXml();
  TagSet tags;
  for (pugi::xml_node tag : set.children("Tag")) {
    if (!tag.child("Key")) return MalformedXml();
    tags.emplace_back(tag.child_value("Key"), tag.child_value("Value"));
  }
  return tags;
}

std::string RenderTagging(const TagSet& tags) {
  XmlWriter xml;
  xml.Open("Tagging", kXmlns);
  xml.Open("TagSet");
  for (const auto& [k, v] : tags) {
    xml.Open("Tag");
    xml.Element("Key", k);
    xml.Element("Value", v);
    xml.Close();
  }
  return xml.Finish();
}

void GetObjectTagging(const CallPtr& call) {
  auto object = call->store().GetObject(call->s3.bucket, call->s3.key, /*with_body=*/false);
  if (!object.ok()) return call->Fail(object.status());
  if (!*object) return call->Fail(NoSuchKey());
  call->ReplyXml(RenderTagging((*object)->tags));
}

void PutObjectTagging(const CallPtr& call) {
  auto tags = ParseTagging(call->request.body);
  if (!tags.ok()) return call->Fail(tags.status());
  if (Status s = ValidateTags(*tags); !s.ok()) return call->Fail(s);
  if (Status s = call->store().PutTags(call->s3.bucket, call->s3.key, *tags); !s.ok()) {
    return call->Fail(s);
  }
  call->ReplyEmpty();
}

void DeleteObjectTagging(const CallPtr& call) {
  if (Status s = call->store().PutTags(call->s3.bucket, call->s3.key, {}); !s.ok()) {
    return call->Fail(s);
  }
  call->ReplyEmpty(204);
}

}  // namespace lamina::services::s3
