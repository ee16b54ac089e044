// Recursive loop detection settings: PUT/GET /2024-08-31/functions/{FunctionName}/recursion-config
// with {"RecursiveLoop": "Allow" | "Terminate"} (lineage.h counts the loops).
#include "lambda/errors.h"
#include "lambda/function_config.h"
#include "lambda/operation.h"

namespace lamina::lambda {

using json = nlohmann::json;

namespace {

// The setting is the function's: a qualifier is refused.
constexpr char kQualifierRefused[] =
    "The recursion configuration applies to the whole function; a qualifier is not accepted.";

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
  RETURN_IF_ERROR(UnqualifiedFunction(op, kQualifierRefused).status());
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
  RETURN_IF_ERROR(UnqualifiedFunction(op, kQualifierRefused).status());
  ASSIGN_OR_RETURN(auto record, LoadFunction(op));
  return JsonResponse(200, json{{"RecursiveLoop", record->recursive_loop}}.dump());
}

}  // namespace lamina::lambda
