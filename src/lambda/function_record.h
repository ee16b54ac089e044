// A function as the registry keeps it, and the repository that keeps it in the Store under
// "lambda/functions/<name>".
//
// `configuration` is the FunctionConfiguration exactly as GetFunctionConfiguration returns it;
// the rest is what Lamina needs besides. Updates are compare-and-swap on the store version, so
// two concurrent writers never lose each other's change.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/store.h"

namespace lamina::lambda {

struct FunctionRecord {
  nlohmann::json configuration = nlohmann::json::object();
  nlohmann::json tags = nlohmann::json::object();
  std::string code_blob;  // hex SHA-256 of the zip in the blob store
  int64_t unzipped_bytes = 0;
  std::optional<int> reserved_concurrency;  // PutFunctionConcurrency's ReservedConcurrentExecutions
  // Published versions: "N" -> {"Configuration", "CodeBlob", "UnzippedBytes"}, immutable once
  // written; `last_version` is the highest number ever published (numbers are never reused).
  nlohmann::json versions = nlohmann::json::object();
  int64_t last_version = 0;
  // Provisioned concurrency: version -> {"Requested": n, "LastModified": "..."}.
  nlohmann::json provisioned = nlohmann::json::object();
  // Aliases: name -> {"FunctionVersion", "Description", "RoutingConfig", "RevisionId"}.
  nlohmann::json aliases = nlohmann::json::object();
  // Asynchronous invocation configs: qualifier ("$LATEST", a version or an alias) ->
  // {"MaximumRetryAttempts", "MaximumEventAgeInSeconds", "DestinationConfig", "LastModified"}.
  nlohmann::json event_invoke = nlohmann::json::object();
  // Resource-based policies: qualifier ("" for the function itself, a version or an alias) ->
  // {"Policy": {"Version", "Id", "Statement": [...]}} (its RevisionId is its holder's).
  nlohmann::json policies = nlohmann::json::object();
  // PutFunctionRecursionConfig's RecursiveLoop: "Terminate" (AWS's default) or "Allow".
  std::string recursive_loop = "Terminate";
  int64_t store_version = 0;  // of the entry this was read from; 0 when new

  std::string name() const { return configuration.value("FunctionName", ""); }
  std::string revision_id() const { return configuration.value("RevisionId", ""); }
  // The policy document of `qualifier` ("" or "$LATEST" for the function itself), or null when
  // it has none.
  const nlohmann::json* PolicyOf(const std::string& qualifier) const {
    auto entry = policies.find(qualifier == "$LATEST" ? "" : qualifier);
    if (entry == policies.end()) return nullptr;
    auto document = entry->find("Policy");
    return document == entry->end() ? nullptr : &*document;
  }
};

// The record as version `version` ("$LATEST" or a published number) runs: its configuration and
// code, with the function's tags, reservation and provisioned concurrency; nullopt when there is
// no such version. The function's aliases, event-invoke configs, policies and recursion setting
// are not copied (every invoke of a version makes one of these): read them from the function's
// own record.
std::optional<FunctionRecord> VersionOf(const FunctionRecord& record, const std::string& version);
// The numbers of the function's published versions, in number order.
std::vector<std::string> PublishedVersions(const FunctionRecord& record);
// The version an alias or version qualifier names: `qualifier` itself when it is "$LATEST" or a
// number, the alias's FunctionVersion when it names an alias; nullopt when it names nothing.
// With `route` (a number in [0, 1)), an alias with AdditionalVersionWeights picks its additional
// version when `route` falls below that version's weight.
std::optional<std::string> ResolveQualifier(const FunctionRecord& record,
                                            const std::string& qualifier, double route = 1.0);
// The versions an alias (as stored in FunctionRecord::aliases) sends invocations to: its
// FunctionVersion first, then the additional version of its RoutingConfig, if any.
std::vector<std::string> AliasVersions(const nlohmann::json& alias);
// Whether `qualifier` is an alias name rather than a version ("$LATEST" or digits).
bool IsAliasName(const std::string& qualifier);
// Whether the function ($LATEST or any published version) uses the code blob `blob`.
bool UsesBlob(const FunctionRecord& record, const std::string& blob);

// The tag that asks for outbound network for the function's environments (when the daemon allows
// it per function: --outbound-network tagged).
inline constexpr const char* kOutboundNetworkTag = "lamina:outbound-network";
// Whether the function is tagged kOutboundNetworkTag=true (any case).
bool WantsOutboundNetwork(const FunctionRecord& record);

// Reads of single functions (every Invoke does one) are served from memory: the repository keeps
// each record it has read or written, with its store version. That is coherent because every
// write to "lambda/functions/" goes through this one repository of this one process; a clustered
// store will have to invalidate it from a watch.
class FunctionRepository {
 public:
  explicit FunctionRepository(store::Store* store) : store_(store) {}

  // The function's record, shared and immutable (every Invoke reads one: no copy); null when
  // there is none. A caller that changes it changes a copy.
  StatusOr<std::shared_ptr<const FunctionRecord>> Get(const std::string& name) const;
  // The code blob of version `version` ("" or "$LATEST", a published number, or an alias: its
  // main version) of `name` if its record is in memory (a Get would not read the store) and has
  // that version.
  std::optional<std::string> CachedCodeBlob(const std::string& name,
                                            const std::string& version = "") const;
  // Functions in name order after `after_name`, at most `limit` (0: all).
  StatusOr<std::vector<FunctionRecord>> List(const std::string& after_name, size_t limit) const;
  // kAlreadyExists when the name is taken.
  Status Create(const FunctionRecord& record);
  // kConflict when the record changed since it was read.
  Status Update(const FunctionRecord& record);
  Status Delete(const FunctionRecord& record);

 private:
  // Keeps `record` as committed (nullopt: deleted).
  void Remember(const std::string& name, std::optional<FunctionRecord> record);

  store::Store* store_;
  mutable std::mutex mu_;
  // Guarded by mu_; existing functions.
  mutable std::map<std::string, std::shared_ptr<const FunctionRecord>> cache_;
  uint64_t generation_ = 0;  // guarded by mu_; bumped by every write
};

}  // namespace lamina::lambda
