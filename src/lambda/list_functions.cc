// ListFunctions: GET /2015-03-31/functions?Marker=&MaxItems=&FunctionVersion=
#include <algorithm>
#include <utility>
#include <vector>

#include "common/crypto.h"
#include "lambda/errors.h"
#include "lambda/function_name.h"
#include "lambda/operation.h"
#include "lambda/validation.h"

namespace lamina::lambda {

using json = nlohmann::json;

OpResult ListFunctions(OpContext& op) {
  Violations v;
  ASSIGN_OR_RETURN(int64_t max_items, ReadMaxItems(op, v));
  bool all_versions = false;
  if (const std::string* version = op.Query("FunctionVersion")) {
    if (*version != "ALL") {
      v.Add("functionVersion", version, "Member must satisfy enum value set: [ALL]");
    }
    all_versions = true;
  }
  RETURN_IF_ERROR(v.ToStatus());

  // The marker is opaque to callers: the base64 of the last name of the previous page.
  std::string after;
  if (const std::string* marker = op.Query("Marker"); marker && !marker->empty()) {
    if (!Base64Decode(*marker, after) || !IsValidFunctionName(after)) {
      return InvalidParameterValue("Invalid marker: " + *marker);
    }
  }
  ASSIGN_OR_RETURN(auto records, op.deps.functions.List(after, static_cast<size_t>(max_items) + 1));
  json functions = json::array();
  for (int64_t i = 0; i < static_cast<int64_t>(records.size()) && i < max_items; ++i) {
    functions.push_back(records[i].configuration);
    if (!all_versions) continue;
    // With FunctionVersion=ALL, each function's published versions follow it, in number order.
    for (const std::string& version : PublishedVersions(records[i])) {
      functions.push_back(records[i].versions[version]["Configuration"]);
    }
  }
  json body = {{"Functions", functions}};
  if (static_cast<int64_t>(records.size()) > max_items) {
    body["NextMarker"] = Base64Encode(records[max_items - 1].name());
  }
  return JsonResponse(200, body.dump());
}

}  // namespace lamina::lambda
