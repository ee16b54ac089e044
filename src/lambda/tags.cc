// TagResource, UntagResource, ListTags: /2017-03-31/tags/{ARN}.
#include <algorithm>

#include "lambda/errors.h"
#include "lambda/function_config.h"
#include "lambda/function_name.h"
#include "lambda/operation.h"

namespace lamina::lambda {

using json = nlohmann::json;

namespace {

Status NotATaggableResource(const std::string& arn) {
  return ValidationError(
      "1 validation error detected: Value '" + arn +
      "' at 'resource' failed to satisfy constraint: Member must satisfy regular expression "
      "pattern: arn:(aws[a-zA-Z-]*):lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:"
      "\\d{12}:(function:[a-zA-Z0-9-_]+(:(\\$LATEST|[a-zA-Z0-9-_]+))?|code-signing-config:"
      "csc-[a-z0-9]{17}|event-source-mapping:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
      "[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|capacity-provider:[a-zA-Z0-9-_]+)");
}

// The function a taggable resource ARN names; only unqualified function ARNs are taggable here.
StatusOr<std::string> TaggedFunction(OpContext& op) {
  const std::string& arn = op.path["Resource"];
  if (arn.rfind("arn:", 0) != 0) return NotATaggableResource(arn);
  auto ref = ParseFunctionName(arn, "resource", op.call.region, op.call.account_id);
  // The resource is checked against its own pattern, not a function name's.
  if (!ref.ok() && ref.status().aws_type() == "ValidationException") {
    return NotATaggableResource(arn);
  }
  if (!ref.ok()) return ref.status();
  if (!ref->qualifier.empty()) {
    return InvalidParameterValue(
        "Tags on function aliases and versions are not supported. Please specify a function "
        "ARN.");
  }
  return ref->name;
}

}  // namespace

OpResult TagResource(OpContext& op) {
  ASSIGN_OR_RETURN(std::string name, TaggedFunction(op));
  ASSIGN_OR_RETURN(json body, ParseBody(op.request.body));
  ASSIGN_OR_RETURN(const json* tags, Member(body, "Tags", json::value_t::object));
  if (!tags) {
    return ValidationError(
        "1 validation error detected: Value null at 'tags' failed to satisfy "
        "constraint: Member must not be null");
  }
  if (tags->empty()) {
    // What AWS answers to an empty Tags map.
    return InvalidParameterValue("An error occurred and the request cannot be processed.");
  }
  op.path["FunctionName"] = name;
  RETURN_IF_ERROR(ModifyFunction(
                      op, "", [&](FunctionRecord& r) { return MergeTags(*tags, r.tags); },
                      /*configuration_changes=*/false)
                      .status());
  if (tags->contains(kOutboundNetworkTag)) RetireEnvironments(op, name);
  http::HttpResponse r;
  r.status = 204;
  return r;
}

OpResult UntagResource(OpContext& op) {
  ASSIGN_OR_RETURN(std::string name, TaggedFunction(op));
  std::vector<std::string> keys;
  for (const auto& [k, v] : op.query) {
    if (k == "tagKeys") keys.push_back(v);
  }
  if (keys.empty()) {
    return ValidationError(
        "1 validation error detected: Value null at 'tagKeys' failed to "
        "satisfy constraint: Member must not be null");
  }
  op.path["FunctionName"] = name;
  RETURN_IF_ERROR(ModifyFunction(
                      op, "",
                      [&](FunctionRecord& r) {
                        for (const std::string& k : keys) r.tags.erase(k);
                        return Status::Ok();
                      },
                      /*configuration_changes=*/false)
                      .status());
  // The environments' network follows the tag: new ones are started without (or with) it.
  if (std::find(keys.begin(), keys.end(), kOutboundNetworkTag) != keys.end()) {
    RetireEnvironments(op, name);
  }
  http::HttpResponse r;
  r.status = 204;
  return r;
}

OpResult ListTags(OpContext& op) {
  ASSIGN_OR_RETURN(std::string name, TaggedFunction(op));
  op.path["FunctionName"] = name;
  ASSIGN_OR_RETURN(auto record, LoadFunction(op));
  return JsonResponse(200, json{{"Tags", record->tags}}.dump());
}

}  // namespace lamina::lambda
