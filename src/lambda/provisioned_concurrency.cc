// Provisioned concurrency: PUT/GET/DELETE /2019-09-30/functions/{FunctionName}/
// provisioned-concurrency?Qualifier=<version> (GET with List=ALL lists a function's configs).
//
// The config is kept in the function's record; the scheduler keeps that many environments of
// the version initialised ahead (scheduler.h Provision). Status is READY once they all are.
#include "common/time_format.h"
#include "invoke/invoker.h"
#include "lambda/errors.h"
#include "lambda/function_config.h"
#include "lambda/function_name.h"
#include "lambda/operation.h"
#include "lambda/validation.h"
#include "sandbox/code_cache.h"

namespace lamina::lambda {

using json = nlohmann::json;

namespace {

Status ConfigNotFound() {
  return Status(Code::kNotFound, "No Provisioned Concurrency Config found for this function",
                "ProvisionedConcurrencyConfigNotFoundException");
}

// The version a request names (Qualifier, or the name's own qualifier), which must be published;
// `op` is then pointed at the function (PointAtFunction).
StatusOr<std::string> PublishedVersion(OpContext& op) {
  ASSIGN_OR_RETURN(FunctionRef ref, ParseFunctionName(op.path["FunctionName"], "functionName",
                                                      op.call.region, op.call.account_id));
  std::string qualifier = ref.qualifier;
  if (const std::string* q = op.Query("Qualifier")) qualifier = *q;
  if (qualifier.empty()) {
    return ValidationError(
        "1 validation error detected: Value null at 'qualifier' failed to satisfy constraint: "
        "Member must not be null");
  }
  if (qualifier == "$LATEST") {
    return InvalidParameterValue(
        "Provisioned Concurrency Configs cannot be applied to unpublished function versions.");
  }
  PointAtFunction(op, ref.name);
  return qualifier;
}

int ReadyOf(OpContext& op, const std::string& name, const std::string& version) {
  if (!op.deps.invoker) return 0;
  return op.deps.invoker->scheduler()->ProvisionedReady(name, version);
}

json Describe(OpContext& op, const FunctionRecord& record, const std::string& version) {
  const json& config = record.provisioned[version];
  int requested = config.value("Requested", 0);
  int ready = ReadyOf(op, record.name(), ResolveQualifier(record, version).value_or(version));
  return {{"RequestedProvisionedConcurrentExecutions", requested},
          {"AvailableProvisionedConcurrentExecutions", ready},
          {"AllocatedProvisionedConcurrentExecutions", ready},
          {"Status", ready >= requested ? "READY" : "IN_PROGRESS"},
          {"LastModified", config.value("LastModified", "")}};
}

}  // namespace

Status ApplyProvisioned(LambdaDeps& deps, const FunctionRecord& record,
                        const std::string& qualifier, int count) {
  if (!deps.invoker || !deps.code) return Status::Ok();
  // On an alias: the version it names.
  std::optional<std::string> resolved = ResolveQualifier(record, qualifier);
  if (!resolved) return Status::Ok();
  const std::string& version = *resolved;
  std::optional<FunctionRecord> snapshot = VersionOf(record, version);
  if (!snapshot) return Status::Ok();
  scheduler::FunctionSpec spec;
  if (count > 0) {
    ASSIGN_OR_RETURN(std::string code_dir, deps.code->Materialize(snapshot->code_blob));
    spec = SpecOf(*snapshot, code_dir);
  } else {
    spec.name = record.name();
    spec.version = version;
  }
  deps.invoker->scheduler()->Provision(std::move(spec), count);
  return Status::Ok();
}

OpResult PutProvisionedConcurrencyConfig(OpContext& op) {
  ASSIGN_OR_RETURN(json body, ParseBody(op.request.body));
  ASSIGN_OR_RETURN(const json* wanted,
                   Member(body, "ProvisionedConcurrentExecutions", json::value_t::number_integer));
  Violations v;
  if (!wanted) {
    v.Add("provisionedConcurrentExecutions", nullptr, "Member must not be null");
  } else {
    v.Range("provisionedConcurrentExecutions", wanted->get<int64_t>(), 1, 1000000);
  }
  RETURN_IF_ERROR(v.ToStatus());
  int count = wanted->get<int>();
  ASSIGN_OR_RETURN(std::string version, PublishedVersion(op));
  ASSIGN_OR_RETURN(FunctionRecord record,
                   ModifyFunction(
                       op, "",
                       [&](FunctionRecord& r) -> Status {
                         std::optional<std::string> resolved = ResolveQualifier(r, version);
                         if (!resolved) return FunctionNotFound(op.FunctionArn(r.name(), version));
                         if (*resolved == "$LATEST") {
                           return InvalidParameterValue(
                               "Provisioned Concurrency Configs cannot be applied to unpublished "
                               "function versions.");
                         }
                         // Provisioned environments run within the function's reservation, when it
                         // has one.
                         int64_t total = count;
                         for (const auto& [v, config] : r.provisioned.items()) {
                           if (v != version) total += config.value("Requested", 0);
                         }
                         if (r.reserved_concurrency && total > *r.reserved_concurrency) {
                           return InvalidParameterValue(
                               "Requested Provisioned Concurrency should not be greater than the "
                               "reservedConcurrentExecution for function");
                         }
                         r.provisioned[version] = {
                             {"Requested", count},
                             {"LastModified", FormatIso8601Seconds(op.deps.clock->NowMillis())}};
                         return Status::Ok();
                       },
                       /*configuration_changes=*/false));
  RETURN_IF_ERROR(ApplyProvisioned(op.deps, record, version, count));
  json out = Describe(op, record, version);
  out["Status"] = "IN_PROGRESS";
  return JsonResponse(202, out.dump());
}

OpResult GetProvisionedConcurrencyConfig(OpContext& op) {
  if (op.Query("List") && !op.Query("Qualifier")) {
    ASSIGN_OR_RETURN(auto record, LoadFunction(op));
    json configs = json::array();
    for (const auto& [version, config] : record->provisioned.items()) {
      json one = Describe(op, *record, version);
      one["FunctionArn"] = op.FunctionArn(record->name(), version);
      configs.push_back(std::move(one));
    }
    return JsonResponse(200, json{{"ProvisionedConcurrencyConfigs", configs}}.dump());
  }
  ASSIGN_OR_RETURN(std::string version, PublishedVersion(op));
  ASSIGN_OR_RETURN(auto record, LoadFunction(op));
  if (!record->provisioned.contains(version)) return ConfigNotFound();
  return JsonResponse(200, Describe(op, *record, version).dump());
}

OpResult DeleteProvisionedConcurrencyConfig(OpContext& op) {
  ASSIGN_OR_RETURN(std::string version, PublishedVersion(op));
  ASSIGN_OR_RETURN(FunctionRecord record, ModifyFunction(
                                              op, "",
                                              [&](FunctionRecord& r) -> Status {
                                                if (!r.provisioned.contains(version))
                                                  return ConfigNotFound();
                                                r.provisioned.erase(version);
                                                return Status::Ok();
                                              },
                                              /*configuration_changes=*/false));
  RETURN_IF_ERROR(ApplyProvisioned(op.deps, record, version, 0));
  http::HttpResponse r;
  r.status = 204;
  return r;
}

}  // namespace lamina::lambda
