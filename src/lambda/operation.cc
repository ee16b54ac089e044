#include "lambda/operation.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "common/crypto.h"
#include "common/log.h"
#include "common/time_format.h"
#include "lambda/code_package.h"
#include "lambda/errors.h"
#include "lambda/function_config.h"
#include "lambda/function_name.h"

namespace lamina::lambda {

const std::string* OpContext::Query(const std::string& key) const {
  for (const auto& [k, v] : query) {
    if (k == key) return &v;
  }
  return nullptr;
}

std::string OpContext::FunctionArn(const std::string& name, const std::string& qualifier) const {
  return lambda::FunctionArn(call.region, call.account_id, name, qualifier);
}

StatusOr<FunctionRef> InvokedFunction(OpContext& op) {
  ASSIGN_OR_RETURN(FunctionRef ref, ParseFunctionName(op.path["FunctionName"], "functionName",
                                                      op.call.region, op.call.account_id));
  if (const std::string* q = op.Query("Qualifier")) {
    if (!ref.qualifier.empty() && ref.qualifier != *q) {
      return InvalidParameterValue(
          "The derived qualifier from the function name does not match "
          "the specified qualifier.");
    }
    ref.qualifier = *q;
  }
  return ref;
}

StatusOr<PageRange> PageOf(const OpContext& op, const std::vector<std::string>& keys,
                           int64_t max_items) {
  PageRange page;
  if (const std::string* marker = op.Query("Marker"); marker && !marker->empty()) {
    auto at = std::find(keys.begin(), keys.end(), *marker);
    if (at == keys.end()) return InvalidParameterValue("Invalid marker: " + *marker);
    page.start = static_cast<size_t>(at - keys.begin()) + 1;
  }
  page.end = std::min(keys.size(), page.start + static_cast<size_t>(max_items));
  return page;
}

void PointAtFunction(OpContext& op, const std::string& name) {
  op.path["FunctionName"] = name;
  std::erase_if(op.query, [](const auto& param) { return param.first == "Qualifier"; });
}

StatusOr<std::shared_ptr<const FunctionRecord>> LoadFunctionItself(OpContext& op) {
  ASSIGN_OR_RETURN(FunctionRef ref, ParseFunctionName(op.path["FunctionName"], "functionName",
                                                      op.call.region, op.call.account_id));
  PointAtFunction(op, ref.name);
  return LoadFunction(op);
}

StatusOr<std::string> UnqualifiedFunction(OpContext& op, const char* refusal) {
  ASSIGN_OR_RETURN(FunctionRef ref, InvokedFunction(op));
  if (!ref.qualifier.empty()) return InvalidParameterValue(refusal);
  PointAtFunction(op, ref.name);
  return ref.name;
}

StatusOr<std::shared_ptr<const FunctionRecord>> LoadFunction(OpContext& op) {
  ASSIGN_OR_RETURN(FunctionRef ref, InvokedFunction(op));
  ASSIGN_OR_RETURN(auto record, op.deps.functions.Get(ref.name));
  if (!record) return FunctionNotFound(op.FunctionArn(ref.name));
  std::optional<std::string> version = ResolveQualifier(*record, ref.qualifier);
  if (!version) return FunctionNotFound(op.FunctionArn(ref.name, ref.qualifier));
  if (*version == "$LATEST") return record;
  std::optional<FunctionRecord> snapshot = VersionOf(*record, *version);
  if (!snapshot) return FunctionNotFound(op.FunctionArn(ref.name, ref.qualifier));
  // Read through an alias, the version's configuration names the alias's ARN, as on AWS.
  if (IsAliasName(ref.qualifier)) {
    snapshot->configuration["FunctionArn"] = op.FunctionArn(ref.name, ref.qualifier);
  }
  return std::make_shared<const FunctionRecord>(std::move(*snapshot));
}

void BackOffAfterConflict(int attempt) {
  // Writers that lost a compare-and-swap race spread out before trying again.
  auto jitter = static_cast<unsigned char>(RandomBytes(1)[0]);
  std::this_thread::sleep_for(std::chrono::microseconds((attempt + 1) * (100 + jitter * 2)));
}

StatusOr<FunctionRecord> ModifyFunction(OpContext& op, const std::string& expected_revision,
                                        const std::function<Status(FunctionRecord&)>& change,
                                        bool configuration_changes) {
  for (int attempt = 0;; ++attempt) {
    ASSIGN_OR_RETURN(auto loaded, LoadFunction(op));
    if (loaded->configuration.value("Version", "$LATEST") != "$LATEST") {
      return InvalidParameterValue("A published version cannot be changed; only $LATEST can.");
    }
    FunctionRecord record = *loaded;
    if (!expected_revision.empty() && expected_revision != record.revision_id()) {
      return PreconditionFailedRevision();
    }
    RETURN_IF_ERROR(change(record));
    if (configuration_changes) {
      record.configuration["RevisionId"] = RandomUuid();
      record.configuration["LastModified"] = FormatLambdaTimestamp(op.deps.clock->NowMillis());
      record.configuration["LastUpdateStatus"] = "Successful";
    }
    Status updated = op.deps.functions.Update(record);
    if (updated.ok()) return record;
    if (updated.code() != Code::kConflict) return updated;
    if (attempt == kConflictAttempts - 1) {
      return ResourceConflict(
          "The operation cannot be performed at this time. An update is in progress for "
          "resource: " +
          op.FunctionArn(record.name()));
    }
    BackOffAfterConflict(attempt);
  }
}

StatusOr<CodePackage> DecodePackage(const nlohmann::json& zip_member) {
  CodePackage package;
  if (!zip_member.is_string() || !Base64Decode(zip_member.get<std::string>(), package.zip)) {
    return InvalidRequestContent(
        "Could not parse request body into json: ZipFile must be a "
        "base64-encoded string");
  }
  ASSIGN_OR_RETURN(PackageInfo info, InspectPackage(package.zip));
  package.unzipped_bytes = info.unzipped_bytes;
  return package;
}

void SetCode(const CodePackage& package, const std::string& blob, FunctionRecord& record) {
  record.code_blob = blob;
  record.unzipped_bytes = package.unzipped_bytes;
  record.configuration["CodeSha256"] = Base64Encode(Sha256(package.zip));
  record.configuration["CodeSize"] = static_cast<int64_t>(package.zip.size());
}

void ReleaseCode(OpContext& op, const std::string& blob) {
  if (blob.empty()) return;
  auto all = op.deps.functions.List("", 0);
  if (!all.ok()) return;  // keep the blob; an orphan is harmless, a dangling record is not
  for (const FunctionRecord& r : *all) {
    if (UsesBlob(r, blob)) return;
  }
  Status removed = op.deps.blobs->Remove(blob);
  if (!removed.ok()) log::Warn("cannot remove code blob", {{"error", removed.ToString()}});
}

StatusOr<int64_t> TotalCodeSize(OpContext& op, int64_t* function_count) {
  ASSIGN_OR_RETURN(auto all, op.deps.functions.List("", 0));
  int64_t total = 0;
  for (const FunctionRecord& r : all) {
    total += r.configuration.value("CodeSize", int64_t{0});
    for (const auto& [number, version] : r.versions.items()) {
      total += version["Configuration"].value("CodeSize", int64_t{0});
    }
  }
  if (function_count) *function_count = static_cast<int64_t>(all.size());
  return total;
}

Status MergeTags(const nlohmann::json& requested, nlohmann::json& tags) {
  if (!requested.is_object()) {
    return InvalidRequestContent("Could not parse request body into json: Tags must be a map");
  }
  nlohmann::json merged = tags;
  for (const auto& [key, value] : requested.items()) {
    if (!value.is_string()) {
      return InvalidRequestContent("Could not parse request body into json: the value of tag '" +
                                   key + "' must be a string");
    }
    if (key.empty() || key.size() > 128 || value.get<std::string>().size() > 256) {
      return InvalidParameterValue(
          "Tag keys must be 1 to 128 and values 0 to 256 characters "
          "long: " +
          key);
    }
    if (key.rfind("aws:", 0) == 0) {
      return InvalidParameterValue("Tag keys prefixed with 'aws:' are reserved: " + key);
    }
    merged[key] = value;
  }
  if (merged.size() > 50) {
    return InvalidParameterValue("Number of tags exceeds resource tag limit.");
  }
  tags = std::move(merged);
  return Status::Ok();
}

StatusOr<int64_t> ReadMaxItems(const OpContext& op, Violations& violations) {
  // AWS returns at most 50 items a page, whatever MaxItems asks for.
  constexpr int64_t kPageLimit = 50;
  const std::string* m = op.Query("MaxItems");
  if (!m) return kPageLimit;
  char* end = nullptr;
  long long parsed = std::strtoll(m->c_str(), &end, 10);
  if (m->empty() || *end != '\0') {
    return InvalidRequestContent("Could not parse request: MaxItems must be an integer");
  }
  violations.Range("maxItems", parsed, 1, 10000);
  return std::min<int64_t>(parsed, kPageLimit);
}

void RetireEnvironments(OpContext& op, const std::string& function_name,
                        const std::string& version) {
  if (op.deps.invoker) op.deps.invoker->scheduler()->Retire(function_name, version);
}

http::HttpResponse ConfigurationResponse(int status, const FunctionRecord& record) {
  return JsonResponse(status, record.configuration.dump());
}

}  // namespace lamina::lambda
