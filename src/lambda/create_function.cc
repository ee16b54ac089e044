// CreateFunction: POST /2015-03-31/functions -> 201 FunctionConfiguration.
#include "common/crypto.h"
#include "common/time_format.h"
#include "lambda/errors.h"
#include "lambda/function_config.h"
#include "lambda/function_name.h"
#include "lambda/operation.h"
#include "lambda/validation.h"

namespace lamina::lambda {

using json = nlohmann::json;

OpResult CreateFunction(OpContext& op) {
  ASSIGN_OR_RETURN(json body, ParseBody(op.request.body));
  ASSIGN_OR_RETURN(const json* name, Member(body, "FunctionName", json::value_t::string));
  ASSIGN_OR_RETURN(const json* role, Member(body, "Role", json::value_t::string));
  ASSIGN_OR_RETURN(const json* code, Member(body, "Code", json::value_t::object));
  ASSIGN_OR_RETURN(const json* tags, Member(body, "Tags", json::value_t::object));
  Violations required;
  if (!name) required.Add("functionName", nullptr, "Member must not be null");
  if (!role) required.Add("role", nullptr, "Member must not be null");
  if (!code) required.Add("code", nullptr, "Member must not be null");
  RETURN_IF_ERROR(required.ToStatus());
  if (name->get<std::string>().size() > 140) {
    Violations v;
    v.Length("functionName", name->get<std::string>(), 1, 140);
    return v.ToStatus();
  }
  ASSIGN_OR_RETURN(FunctionRef ref,
                   ParseFunctionName(name->get<std::string>(), "functionName", op.call.region,
                                     op.call.account_id, NameShape::kNew));
  if (!ref.qualifier.empty()) {
    return InvalidParameterValue(
        "Unsupported qualifier in FunctionName: a new function has only "
        "$LATEST.");
  }
  RETURN_IF_ERROR(op.call.Authorize("lambda:CreateFunction", op.FunctionArn(ref.name)));

  FunctionRecord record;
  record.configuration = {{"FunctionName", ref.name},
                          {"FunctionArn", op.FunctionArn(ref.name)},
                          {"Version", "$LATEST"}};
  RETURN_IF_ERROR(
      ApplyConfiguration(body, /*creating=*/true, op.call, op.deps, record.configuration));
  if (tags) RETURN_IF_ERROR(MergeTags(*tags, record.tags));

  ASSIGN_OR_RETURN(const json* zip, Member(*code, "ZipFile", json::value_t::string));
  if (!zip) {
    if (code->contains("S3Bucket") || code->contains("S3Key")) {
      return InvalidParameterValue(
          "Error occurred while GetObject. S3 Error Code: NoSuchBucket. "
          "S3 Error Message: The specified bucket does not exist");
    }
    return InvalidParameterValue("Please provide a source for function code.");
  }
  ASSIGN_OR_RETURN(CodePackage package, DecodePackage(*zip));
  ASSIGN_OR_RETURN(auto existing, op.deps.functions.Get(ref.name));
  if (existing) return ResourceConflict("Function already exist: " + ref.name);

  std::lock_guard lock(op.deps.code_mu);
  ASSIGN_OR_RETURN(int64_t stored, TotalCodeSize(op));
  if (stored + static_cast<int64_t>(package.zip.size()) > kTotalCodeSizeLimit) {
    return Status(Code::kInvalidArgument, "Code storage limit exceeded.",
                  "CodeStorageExceededException");
  }
  ASSIGN_OR_RETURN(std::string blob, op.deps.blobs->Put(package.zip));
  SetCode(package, blob, record);
  record.configuration["RevisionId"] = RandomUuid();
  record.configuration["LastModified"] = FormatLambdaTimestamp(op.deps.clock->NowMillis());
  record.configuration["State"] = "Active";
  record.configuration["LastUpdateStatus"] = "Successful";
  Status created = op.deps.functions.Create(record);
  if (!created.ok()) {
    ReleaseCode(op, record.code_blob);
    if (created.code() == Code::kAlreadyExists) {
      return ResourceConflict("Function already exist: " + ref.name);
    }
    return created;
  }
  return ConfigurationResponse(201, record);
}

}  // namespace lamina::lambda
