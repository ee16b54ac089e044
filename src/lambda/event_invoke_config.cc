// Asynchronous invocation configs: PUT (replace), POST (update), GET and DELETE
// /2019-09-25/functions/{FunctionName}/event-invoke-config?Qualifier=, and GET .../list.
//
// A config belongs to $LATEST, a version or an alias, and is kept in the function's record
// (FunctionRecord::event_invoke); async_dispatcher.cc applies it.
#include <cctype>
#include <regex>
#include <tuple>

#include "lambda/errors.h"
#include "lambda/function_config.h"
#include "lambda/function_name.h"
#include "lambda/invocation_target.h"
#include "lambda/operation.h"

namespace lamina::lambda {

using json = nlohmann::json;

namespace {

// The qualifier a request names ("$LATEST" when none), which must exist; `op` is then pointed at
// the function.
StatusOr<std::string> ConfigQualifier(OpContext& op) {
  ASSIGN_OR_RETURN(FunctionRef ref, InvokedFunction(op));
  ASSIGN_OR_RETURN(auto record, LoadFunction(op));  // the function, version or alias must exist
  PointAtFunction(op, ref.name);
  return ref.qualifier.empty() ? "$LATEST" : ref.qualifier;
}

Status ConfigNotFound(const std::string& arn) {
  return ResourceNotFound("The function " + arn + " doesn't have an EventInvokeConfig");
}

// Checks one destination (OnSuccess or OnFailure) and returns it as stored.
StatusOr<json> CheckDestination(OpContext& op, const json& body, const char* which, Violations& v) {
  ASSIGN_OR_RETURN(const json* member, Member(body, which, json::value_t::object));
  if (!member) return json::object();
  ASSIGN_OR_RETURN(const json* destination, Member(*member, "Destination", json::value_t::string));
  if (!destination || destination->get<std::string>().empty()) return json::object();
  std::string arn = destination->get<std::string>();
  std::string wire = std::string("destinationConfig.") +
                     (which[2] == 'S' ? "onSuccess" : "onFailure") + ".destination";
  v.Length(wire, arn, 0, 350);
  // The model's DestinationArn pattern is "^$|" and this (an empty ARN is no destination).
  static constexpr char kArn[] =
      R"(arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:([a-z]{2}(-gov)?-[a-z]+-\d{1})?:(\d{12})?:(.*))";
  static const std::regex kPattern(kArn);
  if (!std::regex_match(arn, kPattern)) {
    v.Pattern(wire, arn, false, std::string("^$|") + kArn);
    return json::object();
  }
  std::string service = arn.substr(arn.find(':', 4) + 1);
  service = service.substr(0, service.find(':'));
  if (service != "lambda") {
    // AWS delivers to SQS, SNS and EventBridge (and S3 for failures); Lamina has none of them.
    return InvalidParameterValue("The destination ARN " + arn +
                                 " is not supported: Lamina delivers asynchronous invocation "
                                 "records to Lambda functions only.");
  }
  auto ref = ParseFunctionName(arn, "destination", op.call.region, op.call.account_id);
  if (!ref.ok() || arn.find(":function:") == std::string::npos) {
    return InvalidParameterValue("The destination ARN " + arn + " is invalid.");
  }
  return json{{"Destination", arn}};
}

json Describe(OpContext& op, const std::string& name, const std::string& qualifier,
              const json& config) {
  json out = {{"FunctionArn", op.FunctionArn(name, qualifier)},
              {"LastModified", config.value("LastModified", 0.0)},
              {"DestinationConfig",
               config.value("DestinationConfig",
                            json{{"OnSuccess", json::object()}, {"OnFailure", json::object()}})}};
  for (const char* key : {"MaximumRetryAttempts", "MaximumEventAgeInSeconds"}) {
    if (config.contains(key)) out[key] = config[key];
  }
  return out;
}

// Put (replace) and Update (merge into an existing config).
OpResult Write(OpContext& op, bool replace) {
  ASSIGN_OR_RETURN(json body, ParseBody(op.request.body));
  Violations v;
  json changes = json::object();
  for (auto [key, min, max] : {std::tuple{"MaximumRetryAttempts", 0, 2},
                               std::tuple{"MaximumEventAgeInSeconds", 60, 21600}}) {
    ASSIGN_OR_RETURN(const json* value, Member(body, key, json::value_t::number_integer));
    if (!value) continue;
    v.Range(std::string(1, static_cast<char>(std::tolower(key[0]))) + (key + 1),
            value->get<int64_t>(), min, max);
    changes[key] = *value;
  }
  ASSIGN_OR_RETURN(const json* destinations,
                   Member(body, "DestinationConfig", json::value_t::object));
  if (destinations) {
    ASSIGN_OR_RETURN(json on_success, CheckDestination(op, *destinations, "OnSuccess", v));
    ASSIGN_OR_RETURN(json on_failure, CheckDestination(op, *destinations, "OnFailure", v));
    changes["DestinationConfig"] = {{"OnSuccess", on_success}, {"OnFailure", on_failure}};
  }
  RETURN_IF_ERROR(v.ToStatus());
  ASSIGN_OR_RETURN(std::string qualifier, ConfigQualifier(op));
  std::string name = op.path["FunctionName"];
  json written;
  ASSIGN_OR_RETURN(FunctionRecord record,
                   ModifyFunction(
                       op, "",
                       [&](FunctionRecord& r) -> Status {
                         json& config = r.event_invoke[qualifier];
                         if (!replace && config.is_null()) {
                           r.event_invoke.erase(qualifier);
                           return ConfigNotFound(op.FunctionArn(name, qualifier));
                         }
                         if (replace || config.is_null()) config = json::object();
                         for (auto& [key, value] : changes.items()) config[key] = value;
                         config["LastModified"] =
                             static_cast<double>(op.deps.clock->NowMillis()) / 1000.0;
                         written = config;
                         return Status::Ok();
                       },
                       /*configuration_changes=*/false));
  return JsonResponse(200, Describe(op, name, qualifier, written).dump());
}

}  // namespace

OpResult PutFunctionEventInvokeConfig(OpContext& op) { return Write(op, /*replace=*/true); }

OpResult UpdateFunctionEventInvokeConfig(OpContext& op) { return Write(op, /*replace=*/false); }

OpResult GetFunctionEventInvokeConfig(OpContext& op) {
  ASSIGN_OR_RETURN(std::string qualifier, ConfigQualifier(op));
  ASSIGN_OR_RETURN(auto record, LoadFunction(op));
  const json* config = EventInvokeConfigOf(*record, qualifier);
  if (!config) return ConfigNotFound(op.FunctionArn(record->name(), qualifier));
  return JsonResponse(200, Describe(op, record->name(), qualifier, *config).dump());
}

OpResult DeleteFunctionEventInvokeConfig(OpContext& op) {
  ASSIGN_OR_RETURN(std::string qualifier, ConfigQualifier(op));
  std::string name = op.path["FunctionName"];
  ASSIGN_OR_RETURN(FunctionRecord record,
                   ModifyFunction(
                       op, "",
                       [&](FunctionRecord& r) -> Status {
                         if (r.event_invoke.erase(qualifier) == 0) {
                           return ConfigNotFound(op.FunctionArn(name, qualifier));
                         }
                         return Status::Ok();
                       },
                       /*configuration_changes=*/false));
  http::HttpResponse response;
  response.status = 204;
  return response;
}

OpResult ListFunctionEventInvokeConfigs(OpContext& op) {
  Violations v;
  ASSIGN_OR_RETURN(int64_t max_items, ReadMaxItems(op, v));
  RETURN_IF_ERROR(v.ToStatus());
  ASSIGN_OR_RETURN(auto record, LoadFunctionItself(op));
  std::vector<std::string> keys;
  for (const auto& [qualifier, config] : record->event_invoke.items()) keys.push_back(qualifier);
  ASSIGN_OR_RETURN(PageRange page, PageOf(op, keys, max_items));
  json configs = json::array();
  for (size_t i = page.start; i < page.end; ++i) {
    configs.push_back(Describe(op, record->name(), keys[i], record->event_invoke[keys[i]]));
  }
  json body = {{"FunctionEventInvokeConfigs", configs}};
  if (page.end < keys.size()) body["NextMarker"] = keys[page.end - 1];
  return JsonResponse(200, body.dump());
}

}  // namespace lamina::lambda
