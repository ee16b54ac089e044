// What every Lambda control-plane operation receives and returns, and the helpers they share.
// One operation (or one small family of them) per file; lambda_service.cc routes to them.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "common/status.h"
#include "common/uri.h"
#include "http/service.h"
#include "lambda/function_name.h"
#include "lambda/function_record.h"
#include "lambda/lambda_deps.h"
#include "lambda/validation.h"
#include "scheduler/function_spec.h"

namespace lamina::lambda {

struct OpContext {
  const http::CallContext& call;
  const http::HttpRequest& request;
  std::map<std::string, std::string> path;  // decoded path parameters, e.g. "FunctionName"
  QueryParams query;                        // decoded query parameters
  LambdaDeps& deps;

  // The first value of a query parameter, or nullptr.
  const std::string* Query(const std::string& key) const;
  std::string FunctionArn(const std::string& name, const std::string& qualifier = "") const;
};

using OpResult = StatusOr<http::HttpResponse>;
using Operation = OpResult (*)(OpContext&);

// The operations.
OpResult CreateFunction(OpContext& op);
OpResult GetFunction(OpContext& op);
OpResult GetFunctionConfiguration(OpContext& op);
OpResult ListFunctions(OpContext& op);
OpResult UpdateFunctionCode(OpContext& op);
OpResult UpdateFunctionConfiguration(OpContext& op);
OpResult DeleteFunction(OpContext& op);
OpResult TagResource(OpContext& op);
OpResult UntagResource(OpContext& op);
OpResult ListTags(OpContext& op);
OpResult GetAccountSettings(OpContext& op);
OpResult PutFunctionConcurrency(OpContext& op);
OpResult GetFunctionConcurrency(OpContext& op);
OpResult DeleteFunctionConcurrency(OpContext& op);
OpResult DownloadCode(OpContext& op);
OpResult PublishVersion(OpContext& op);
OpResult ListVersionsByFunction(OpContext& op);
OpResult PutProvisionedConcurrencyConfig(OpContext& op);
// Get, or with List=ALL the list of a function's configs (one path and method on the wire).
OpResult GetProvisionedConcurrencyConfig(OpContext& op);
OpResult DeleteProvisionedConcurrencyConfig(OpContext& op);
OpResult PutFunctionEventInvokeConfig(OpContext& op);
OpResult UpdateFunctionEventInvokeConfig(OpContext& op);
OpResult GetFunctionEventInvokeConfig(OpContext& op);
OpResult DeleteFunctionEventInvokeConfig(OpContext& op);
OpResult ListFunctionEventInvokeConfigs(OpContext& op);
OpResult CreateAlias(OpContext& op);
OpResult GetAlias(OpContext& op);
OpResult UpdateAlias(OpContext& op);
OpResult DeleteAlias(OpContext& op);
OpResult ListAliases(OpContext& op);
OpResult AddPermission(OpContext& op);
OpResult RemovePermission(OpContext& op);
OpResult GetPolicy(OpContext& op);
OpResult PutFunctionRecursionConfig(OpContext& op);
OpResult GetFunctionRecursionConfig(OpContext& op);
// Provisions (count > 0) or stops provisioning the version `qualifier` names (a version, or an
// alias: its version) of `record`'s function in the scheduler.
Status ApplyProvisioned(LambdaDeps& deps, const FunctionRecord& record,
                        const std::string& qualifier, int count);
// Invoke answers when the function has run: `done` is called once, from another thread.
void Invoke(OpContext& op, std::function<void(OpResult)> done);

// The page size of a List operation: MaxItems (1..10000, recorded in `violations` when outside)
// capped at AWS's 50, or 50 when absent. InvalidRequestContent when it is not an integer.
StatusOr<int64_t> ReadMaxItems(const OpContext& op, Violations& violations);

// The page of `keys` (in list order) a List operation returns: after its Marker (one of `keys`;
// InvalidParameterValueException otherwise), at most `max_items`. NextMarker is
// keys[end - 1] when end < keys.size().
struct PageRange {
  size_t start = 0;
  size_t end = 0;
};
StatusOr<PageRange> PageOf(const OpContext& op, const std::vector<std::string>& keys,
                           int64_t max_items);

// What the scheduler runs for `record` (a version of a function) with its code at `code_dir`.
scheduler::FunctionSpec SpecOf(const FunctionRecord& record, const std::string& code_dir);

// Retires the function's running environments after a change (no-op without an invoker).
// Of `version` only, when given.
void RetireEnvironments(OpContext& op, const std::string& function_name,
                        const std::string& version = "");

// Shared by the operations.

// The FunctionName path parameter with the Qualifier query parameter (which must agree with a
// qualifier in the name).
StatusOr<FunctionRef> InvokedFunction(OpContext& op);
// Points `op` at the function itself (its record, not a version or alias it named), for the
// operations whose per-qualifier settings live in the function's record.
void PointAtFunction(OpContext& op, const std::string& name);
// The function a request names, whatever qualifier its name or query carries (for the List
// operations of a function's versions and configs); `op` is pointed at it.
StatusOr<std::shared_ptr<const FunctionRecord>> LoadFunctionItself(OpContext& op);
// The function a request names for a setting of the function as a whole: a qualifier is refused
// (InvalidParameterValueException with `refusal`), and `op` is pointed at the function, whose
// name is returned.
StatusOr<std::string> UnqualifiedFunction(OpContext& op, const char* refusal);
// Resolves the FunctionName path parameter (and Qualifier) to an existing function's record: of
// the version named, or the version an alias names (its main version).
StatusOr<std::shared_ptr<const FunctionRecord>> LoadFunction(OpContext& op);

// How often a compare-and-swap lost to a concurrent writer is retried, with BackOffAfterConflict
// between attempts.
inline constexpr int kConflictAttempts = 32;
void BackOffAfterConflict(int attempt);

// Reads the function, applies `change`, and writes it back (with a new RevisionId and
// LastModified when `configuration_changes`); retried when a concurrent writer got there first.
// `expected_revision`, when not empty, must match the stored RevisionId
// (PreconditionFailedException).
StatusOr<FunctionRecord> ModifyFunction(OpContext& op, const std::string& expected_revision,
                                        const std::function<Status(FunctionRecord&)>& change,
                                        bool configuration_changes = true);

// A deployment package from a request, checked but not yet stored.
struct CodePackage {
  std::string zip;
  int64_t unzipped_bytes = 0;
};
// Decodes the base64 ZipFile member and checks the package (InspectPackage).
StatusOr<CodePackage> DecodePackage(const nlohmann::json& zip_member);
// Points the record at the package stored as `blob` ("" for a dry run): CodeSha256, CodeSize.
void SetCode(const CodePackage& package, const std::string& blob, FunctionRecord& record);
// Removes a code blob that no function names any more. The caller holds deps.code_mu.
void ReleaseCode(OpContext& op, const std::string& blob);

http::HttpResponse ConfigurationResponse(int status, const FunctionRecord& record);

// Checks a Tags map (at most 50; keys 1-128, values 0-256 characters, no "aws:" prefix) and
// merges it into `tags`.
Status MergeTags(const nlohmann::json& requested, nlohmann::json& tags);

// The total size of every stored code package, and the limits GetAccountSettings reports.
StatusOr<int64_t> TotalCodeSize(OpContext& op, int64_t* function_count = nullptr);
inline constexpr int64_t kTotalCodeSizeLimit = 80'530'636'800;  // 75 GB
inline constexpr int64_t kZippedCodeSizeLimit = 52'428'800;     // 50 MB direct upload

}  // namespace lamina::lambda
