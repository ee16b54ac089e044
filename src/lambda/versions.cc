// PublishVersion: POST /2015-03-31/functions/{FunctionName}/versions -> 201, and
// ListVersionsByFunction: GET /2015-03-31/functions/{FunctionName}/versions?Marker=&MaxItems=.
//
// A version is an immutable snapshot of $LATEST's code and configuration, numbered from 1 and
// never renumbered (a deleted version's number is not reused). It is kept in the function's
// record, so a function and its versions change and go together.
#include <algorithm>
#include <cstdlib>

#include "common/crypto.h"
#include "common/time_format.h"
#include "lambda/errors.h"
#include "lambda/function_config.h"
#include "lambda/function_name.h"
#include "lambda/operation.h"
#include "lambda/validation.h"

namespace lamina::lambda {

using json = nlohmann::json;

namespace {

// What makes a version different from another: everything but its identity and timestamps.
json Substance(json configuration) {
  for (const char* key : {"Version", "FunctionArn", "RevisionId", "LastModified", "Description"}) {
    configuration.erase(key);
  }
  return configuration;
}

StatusOr<std::string> OptionalString(const json& body, const char* name) {
  ASSIGN_OR_RETURN(const json* member, Member(body, name, json::value_t::string));
  return member ? member->get<std::string>() : std::string();
}

}  // namespace

OpResult PublishVersion(OpContext& op) {
  ASSIGN_OR_RETURN(json body, ParseBody(op.request.body));
  ASSIGN_OR_RETURN(std::string code_sha, OptionalString(body, "CodeSha256"));
  ASSIGN_OR_RETURN(std::string revision, OptionalString(body, "RevisionId"));
  ASSIGN_OR_RETURN(const json* description, Member(body, "Description", json::value_t::string));
  if (description && description->get<std::string>().size() > 256) {
    Violations v;
    v.Length("description", description->get<std::string>(), 0, 256);
    return v.ToStatus();
  }
  std::string number;
  ASSIGN_OR_RETURN(
      FunctionRecord record,
      ModifyFunction(
          op, revision,
          [&](FunctionRecord& r) -> Status {
            const json& latest = r.configuration;
            std::string current_sha = latest.value("CodeSha256", "");
            if (!code_sha.empty() && code_sha != current_sha) {
              return InvalidParameterValue("CodeSHA256 (" + code_sha +
                                           ") is different from current CodeSHA256 in $LATEST (" +
                                           current_sha +
                                           "). Please try again with the current CodeSHA256.");
            }
            // Nothing changed since the last version: that version is the answer, as on AWS.
            std::string last = std::to_string(r.last_version);
            if (r.versions.contains(last) &&
                Substance(r.versions[last]["Configuration"]) == Substance(latest)) {
              number = last;
              return Status::Ok();
            }
            number = std::to_string(++r.last_version);
            json configuration = latest;
            configuration["Version"] = number;
            configuration["FunctionArn"] = op.FunctionArn(r.name(), number);
            configuration["RevisionId"] = RandomUuid();
            configuration["LastModified"] = FormatLambdaTimestamp(op.deps.clock->NowMillis());
            if (description) configuration["Description"] = *description;
            r.versions[number] = {{"Configuration", std::move(configuration)},
                                  {"CodeBlob", r.code_blob},
                                  {"UnzippedBytes", r.unzipped_bytes}};
            return Status::Ok();
          },
          /*configuration_changes=*/false));
  std::optional<FunctionRecord> version = VersionOf(record, number);
  if (!version) return Internal("the version just published is missing");
  return ConfigurationResponse(201, *version);
}

OpResult ListVersionsByFunction(OpContext& op) {
  Violations v;
  ASSIGN_OR_RETURN(int64_t max_items, ReadMaxItems(op, v));
  RETURN_IF_ERROR(v.ToStatus());
  ASSIGN_OR_RETURN(auto record, LoadFunctionItself(op));

  // $LATEST first, then the published versions in number order.
  std::vector<std::string> order = {"$LATEST"};
  for (std::string& version : PublishedVersions(*record)) order.push_back(std::move(version));

  ASSIGN_OR_RETURN(PageRange page, PageOf(op, order, max_items));
  json versions = json::array();
  for (size_t i = page.start; i < page.end; ++i) {
    versions.push_back(VersionOf(*record, order[i])->configuration);
  }
  json body = {{"Versions", versions}};
  if (page.end < order.size()) body["NextMarker"] = order[page.end - 1];
  return JsonResponse(200, body.dump());
}

}  // namespace lamina::lambda
