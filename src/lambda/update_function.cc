// UpdateFunctionCode and UpdateFunctionConfiguration: PUT .../code and .../configuration.
#include "lambda/errors.h"
#include "lambda/function_config.h"
#include "lambda/operation.h"
#include "lambda/validation.h"

namespace lamina::lambda {

using json = nlohmann::json;

namespace {

StatusOr<std::string> RevisionOf(const json& body) {
  ASSIGN_OR_RETURN(const json* revision, Member(body, "RevisionId", json::value_t::string));
  return revision ? revision->get<std::string>() : std::string();
}

}  // namespace

OpResult UpdateFunctionCode(OpContext& op) {
  ASSIGN_OR_RETURN(json body, ParseBody(op.request.body));
  ASSIGN_OR_RETURN(std::string revision, RevisionOf(body));
  ASSIGN_OR_RETURN(const json* zip, Member(body, "ZipFile", json::value_t::string));
  ASSIGN_OR_RETURN(const json* dry_run, Member(body, "DryRun", json::value_t::boolean));
  ASSIGN_OR_RETURN(const json* architectures, Member(body, "Architectures", json::value_t::array));
  if (architectures) {
    Violations v;
    RETURN_IF_ERROR(CheckArchitectures(*architectures, v));
    RETURN_IF_ERROR(v.ToStatus());
  }
  if (!zip) {
    if (body.contains("S3Bucket") || body.contains("S3Key")) {
      return InvalidParameterValue(
          "Error occurred while GetObject. S3 Error Code: NoSuchBucket. "
          "S3 Error Message: The specified bucket does not exist");
    }
    return InvalidParameterValue("Please provide a source for function code.");
  }

  ASSIGN_OR_RETURN(CodePackage package, DecodePackage(*zip));
  auto set_architectures = [&](FunctionRecord& r) {
    if (architectures) r.configuration["Architectures"] = *architectures;
  };
  if (dry_run && dry_run->get<bool>()) {
    // Validate and show the result, change nothing.
    ASSIGN_OR_RETURN(auto loaded, LoadFunction(op));
    FunctionRecord r = *loaded;
    if (!revision.empty() && revision != r.revision_id()) return PreconditionFailedRevision();
    SetCode(package, r.code_blob, r);
    set_architectures(r);
    return ConfigurationResponse(200, r);
  }

  std::lock_guard lock(op.deps.code_mu);
  ASSIGN_OR_RETURN(std::string blob, op.deps.blobs->Put(package.zip));
  std::string old_blob;
  auto record = ModifyFunction(op, revision, [&](FunctionRecord& r) {
    old_blob = r.code_blob;
    SetCode(package, blob, r);
    set_architectures(r);
    return Status::Ok();
  });
  if (!record.ok()) {
    ReleaseCode(op, blob);
    return record.status();
  }
  if (old_blob != blob) ReleaseCode(op, old_blob);
  RetireEnvironments(op, record->name(), "$LATEST");  // versions keep their own code
  return ConfigurationResponse(200, *record);
}

OpResult UpdateFunctionConfiguration(OpContext& op) {
  ASSIGN_OR_RETURN(json body, ParseBody(op.request.body));
  ASSIGN_OR_RETURN(std::string revision, RevisionOf(body));
  ASSIGN_OR_RETURN(FunctionRecord record, ModifyFunction(op, revision, [&](FunctionRecord& r) {
                     return ApplyConfiguration(body, /*creating=*/false, op.call, op.deps,
                                               r.configuration);
                   }));
  RetireEnvironments(op, record.name(), "$LATEST");
  return ConfigurationResponse(200, record);
}

}  // namespace lamina::lambda
