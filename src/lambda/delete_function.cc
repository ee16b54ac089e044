// DeleteFunction: DELETE /2015-03-31/functions/{FunctionName}[?Qualifier=] -> 204.
#include <algorithm>

#include "lambda/errors.h"
#include "lambda/function_name.h"
#include "lambda/operation.h"

namespace lamina::lambda {

OpResult DeleteFunction(OpContext& op) {
  ASSIGN_OR_RETURN(FunctionRef ref, ParseFunctionName(op.path["FunctionName"], "functionName",
                                                      op.call.region, op.call.account_id));
  std::string qualifier = ref.qualifier;
  if (const std::string* q = op.Query("Qualifier")) qualifier = *q;
  if (qualifier == "$LATEST") {
    return InvalidParameterValue(
        "$LATEST version cannot be deleted without deleting the "
        "function.");
  }
  std::lock_guard lock(op.deps.code_mu);
  for (int attempt = 0;; ++attempt) {
    ASSIGN_OR_RETURN(auto record, op.deps.functions.Get(ref.name));
    if (!record) return FunctionNotFound(op.FunctionArn(ref.name));
    if (!qualifier.empty()) {
      // One published version.
      if (IsAliasName(qualifier)) {
        return InvalidParameterValue(
            "Deletion of aliases is not supported by DeleteFunction; "
            "use DeleteAlias.");
      }
      if (!record->versions.contains(qualifier)) {
        return FunctionNotFound(op.FunctionArn(ref.name, qualifier));
      }
      std::string referencing;
      for (const auto& [alias, config] : record->aliases.items()) {
        std::vector<std::string> named = AliasVersions(config);
        if (std::find(named.begin(), named.end(), qualifier) != named.end()) {
          referencing += (referencing.empty() ? "" : ", ") + alias;
        }
      }
      if (!referencing.empty()) {
        return ResourceConflict(
            "Unable to delete version because the following aliases "
            "reference it: [" +
            referencing + "]");
      }
      FunctionRecord changed = *record;
      std::string blob = changed.versions[qualifier].value("CodeBlob", "");
      changed.versions.erase(qualifier);
      changed.provisioned.erase(qualifier);
      changed.event_invoke.erase(qualifier);
      changed.policies.erase(qualifier);
      Status updated = op.deps.functions.Update(changed);
      if (updated.ok()) {
        RETURN_IF_ERROR(ApplyProvisioned(op.deps, *record, qualifier, 0));
        ReleaseCode(op, blob);
        RetireEnvironments(op, ref.name, qualifier);
        http::HttpResponse r;
        r.status = 204;
        return r;
      }
      if (updated.code() != Code::kConflict || attempt == kConflictAttempts - 1) return updated;
      BackOffAfterConflict(attempt);
      continue;
    }
    Status deleted = op.deps.functions.Delete(*record);
    if (deleted.ok()) {
      for (const auto& [version, config] : record->provisioned.items()) {
        RETURN_IF_ERROR(ApplyProvisioned(op.deps, *record, version, 0));
      }
      for (const auto& [number, version] : record->versions.items()) {
        ReleaseCode(op, version.value("CodeBlob", ""));
      }
      ReleaseCode(op, record->code_blob);
      op.deps.concurrency->SetReserved(ref.name, std::nullopt);
      RetireEnvironments(op, ref.name);
      http::HttpResponse r;
      r.status = 204;
      return r;
    }
    if (deleted.code() != Code::kConflict || attempt == kConflictAttempts - 1) return deleted;
    BackOffAfterConflict(attempt);
  }
}

}  // namespace lamina::lambda
