// Recursive loop detection settings: PUT/GET /2024-08-31/functions/{FunctionName}/recursion-config
// with {"RecursiveLoop": "Allow" | "Terminate"} (lineage.h counts the loops).
#include "lambda/errors.h"
#include "lambda/function_config.h"
#include "lambda/operation.h"

namespace lamina::lambda {

using json = nlohmann::json;

namespace {

// The function a request names; a qualifier is refused, as the setting is the function's.
Status AtUnqualifiedFunction(OpContext& op) {
  ASSIGN_OR_RETURN(FunctionRef ref, InvokedFunction(op));
  if (!ref.qualifier.empty()) {
    return InvalidParameterValue(
        "The recursion configuration applies to the whole function; "
        "a qualifier is not accepted.");
  }
  PointAtFunction(op, ref.name);
  return Status::Ok();
}

}  // namespace

OpResult PutFunctionRecursionConfig(OpContext& op) {
  ASSIGN_OR_RETURN(json body, ParseBody(op.request.body));
  ASSIGN_OR_RETURN(const json* loop, Member(body, "RecursiveLoop", json::value_t::string));
  Violations v;
  std::string value = loop ? loop->get<std::string>() : "";
  if (!loop) {
    v.Add("recursiveLoop", nullptr, "Member must not be null");
  } else if (value != "Allow" && value != "Terminate") {
    v.Add("recursiveLoop", &value, "Member must satisfy enum value set: [Allow, Terminate]");
  }
  RETURN_IF_ERROR(v.ToStatus());
  RETURN_IF_ERROR(AtUnqualifiedFunction(op));
  ASSIGN_OR_RETURN(FunctionRecord record, ModifyFunction(
                                              op, "",
                                              [&](FunctionRecord& r) {
                                                r.recursive_loop = value;
                                                return Status::Ok();
                                              },
                                              /*configuration_changes=*/false));
  return JsonResponse(200, json{{"RecursiveLoop", record.recursive_loop}}.dump());
}

OpResult GetFunctionRecursionConfig(OpContext& op) {
  RETURN_IF_ERROR(AtUnqualifiedFunction(op));
  ASSIGN_OR_RETURN(auto record, LoadFunction(op));
  return JsonResponse(200, json{{"RecursiveLoop", record->recursive_loop}}.dump());
}

}  // namespace lamina::lambda
