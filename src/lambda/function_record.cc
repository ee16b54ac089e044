#include "lambda/function_record.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <utility>

namespace lamina::lambda {
namespace {

constexpr char kPrefix[] = "lambda/functions/";

std::string Serialize(const FunctionRecord& r) {
  nlohmann::json doc = {{"Configuration", r.configuration},
                        {"Tags", r.tags},
                        {"CodeBlob", r.code_blob},
                        {"UnzippedBytes", r.unzipped_bytes}};
  if (r.reserved_concurrency) doc["ReservedConcurrentExecutions"] = *r.reserved_concurrency;
  if (!r.provisioned.empty()) doc["Provisioned"] = r.provisioned;
  if (!r.aliases.empty()) doc["Aliases"] = r.aliases;
  if (!r.event_invoke.empty()) doc["EventInvoke"] = r.event_invoke;
  if (!r.policies.empty()) doc["Policies"] = r.policies;
  if (r.recursive_loop != "Terminate") doc["RecursiveLoop"] = r.recursive_loop;
  if (r.last_version) {
    doc["Versions"] = r.versions;
    doc["LastVersion"] = r.last_version;
  }
  return doc.dump();
}

StatusOr<FunctionRecord> Parse(const store::Entry& entry) {
  auto doc = nlohmann::json::parse(entry.value, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("Configuration")) {
    return Internal("corrupt function record " + entry.key);
  }
  FunctionRecord r;
  r.configuration = doc["Configuration"];
  r.tags = doc.value("Tags", nlohmann::json::object());
  r.code_blob = doc.value("CodeBlob", "");
  r.unzipped_bytes = doc.value("UnzippedBytes", int64_t{0});
  if (auto reserved = doc.find("ReservedConcurrentExecutions");
      reserved != doc.end() && reserved->is_number_integer()) {
    r.reserved_concurrency = reserved->get<int>();
  }
  r.versions = doc.value("Versions", nlohmann::json::object());
  r.last_version = doc.value("LastVersion", int64_t{0});
  r.provisioned = doc.value("Provisioned", nlohmann::json::object());
  r.aliases = doc.value("Aliases", nlohmann::json::object());
  r.event_invoke = doc.value("EventInvoke", nlohmann::json::object());
  r.policies = doc.value("Policies", nlohmann::json::object());
  r.recursive_loop = doc.value("RecursiveLoop", "Terminate");
  r.store_version = entry.version;
  return r;
}

Status MapConflict(Status s, Code code) {
  if (s.code() == Code::kFailedPrecondition) return Status(code, s.message());
  return s;
}

}  // namespace

std::optional<FunctionRecord> VersionOf(const FunctionRecord& record, const std::string& version) {
  if (version == "$LATEST") return record;
  auto found = record.versions.find(version);
  if (found == record.versions.end() || !found->is_object()) return std::nullopt;
  FunctionRecord out;
  out.configuration = found->value("Configuration", nlohmann::json::object());
  out.code_blob = found->value("CodeBlob", "");
  out.unzipped_bytes = found->value("UnzippedBytes", int64_t{0});
  out.tags = record.tags;
  out.reserved_concurrency = record.reserved_concurrency;
  out.provisioned = record.provisioned;
  out.store_version = record.store_version;
  return out;
}

bool IsAliasName(const std::string& qualifier) {
  if (qualifier == "$LATEST" || qualifier.empty()) return false;
  return !std::all_of(qualifier.begin(), qualifier.end(),
                      [](char c) { return c >= '0' && c <= '9'; });
}

std::vector<std::string> AliasVersions(const nlohmann::json& alias) {
  std::vector<std::string> out = {alias.value("FunctionVersion", "$LATEST")};
  if (auto routing = alias.find("RoutingConfig"); routing != alias.end() && routing->is_object()) {
    auto weights = routing->find("AdditionalVersionWeights");
    if (weights != routing->end() && weights->is_object()) {
      for (auto w = weights->begin(); w != weights->end(); ++w) out.push_back(w.key());
    }
  }
  return out;
}

std::optional<std::string> ResolveQualifier(const FunctionRecord& record,
                                            const std::string& qualifier, double route) {
  if (qualifier.empty() || qualifier == "$LATEST") return std::string("$LATEST");
  if (!IsAliasName(qualifier)) {
    if (!record.versions.contains(qualifier)) return std::nullopt;
    return qualifier;
  }
  auto alias = record.aliases.find(qualifier);
  if (alias == record.aliases.end() || !alias->is_object()) return std::nullopt;
  if (auto routing = alias->find("RoutingConfig");
      routing != alias->end() && routing->is_object()) {
    auto weights = routing->find("AdditionalVersionWeights");
    if (weights != routing->end() && weights->is_object()) {
      for (auto w = weights->begin(); w != weights->end(); ++w) {
        if (w->is_number() && route < w->get<double>()) return w.key();
      }
    }
  }
  return alias->value("FunctionVersion", "$LATEST");
}

std::vector<std::string> PublishedVersions(const FunctionRecord& record) {
  std::vector<std::pair<long long, std::string>> numbered;
  for (const auto& [number, version] : record.versions.items()) {
    numbered.emplace_back(std::strtoll(number.c_str(), nullptr, 10), number);
  }
  std::sort(numbered.begin(), numbered.end());
  std::vector<std::string> out;
  for (auto& [n, number] : numbered) out.push_back(std::move(number));
  return out;
}

bool UsesBlob(const FunctionRecord& record, const std::string& blob) {
  if (record.code_blob == blob) return true;
  for (const auto& [number, version] : record.versions.items()) {
    if (version.is_object() && version.value("CodeBlob", "") == blob) return true;
  }
  return false;
}

bool WantsOutboundNetwork(const FunctionRecord& record) {
  auto tag = record.tags.find(kOutboundNetworkTag);
  if (tag == record.tags.end() || !tag->is_string()) return false;
  std::string value = tag->get<std::string>();
  for (char& c : value) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return value == "true";
}

StatusOr<std::shared_ptr<const FunctionRecord>> FunctionRepository::Get(
    const std::string& name) const {
  uint64_t generation;
  {
    std::lock_guard lock(mu_);
    if (auto it = cache_.find(name); it != cache_.end()) return it->second;
    generation = generation_;
  }
  ASSIGN_OR_RETURN(auto entry, store_->Get(kPrefix + name));
  if (!entry) return std::shared_ptr<const FunctionRecord>();
  ASSIGN_OR_RETURN(FunctionRecord parsed, Parse(*entry));
  auto record = std::make_shared<const FunctionRecord>(std::move(parsed));
  std::lock_guard lock(mu_);
  // Cache what was read only if no write happened meanwhile: it might be older than that write.
  if (generation == generation_) cache_.emplace(name, record);
  return record;
}

std::optional<std::string> FunctionRepository::CachedCodeBlob(const std::string& name,
                                                              const std::string& version) const {
  std::lock_guard lock(mu_);
  auto it = cache_.find(name);
  if (it == cache_.end()) return std::nullopt;
  std::optional<std::string> resolved = ResolveQualifier(*it->second, version);
  if (!resolved) return std::nullopt;
  if (*resolved == "$LATEST") return it->second->code_blob;
  auto found = it->second->versions.find(*resolved);
  if (found == it->second->versions.end() || !found->is_object()) return std::nullopt;
  return found->value("CodeBlob", "");
}

void FunctionRepository::Remember(const std::string& name, std::optional<FunctionRecord> record) {
  std::lock_guard lock(mu_);
  ++generation_;
  if (record) {
    cache_[name] = std::make_shared<const FunctionRecord>(std::move(*record));
  } else {
    cache_.erase(name);
  }
}

StatusOr<std::vector<FunctionRecord>> FunctionRepository::List(const std::string& after_name,
                                                               size_t limit) const {
  std::string after = after_name.empty() ? "" : kPrefix + after_name;
  ASSIGN_OR_RETURN(auto entries, store_->List(kPrefix, after, limit));
  std::vector<FunctionRecord> out;
  out.reserve(entries.size());
  for (const auto& e : entries) {
    ASSIGN_OR_RETURN(FunctionRecord r, Parse(e));
    out.push_back(std::move(r));
  }
  return out;
}

Status FunctionRepository::Create(const FunctionRecord& record) {
  auto committed = store_->Commit(
      {store::Op::Put(kPrefix + record.name(), Serialize(record), store::Precondition::Absent())});
  if (!committed.ok()) return MapConflict(committed.status(), Code::kAlreadyExists);
  FunctionRecord stored = record;
  stored.store_version = *committed;
  Remember(record.name(), std::move(stored));
  return Status::Ok();
}

Status FunctionRepository::Update(const FunctionRecord& record) {
  auto committed =
      store_->Commit({store::Op::Put(kPrefix + record.name(), Serialize(record),
                                     store::Precondition::Version(record.store_version))});
  if (!committed.ok()) return MapConflict(committed.status(), Code::kConflict);
  FunctionRecord stored = record;
  stored.store_version = *committed;
  Remember(record.name(), std::move(stored));
  return Status::Ok();
}

Status FunctionRepository::Delete(const FunctionRecord& record) {
  auto committed = store_->Commit({store::Op::Delete(
      kPrefix + record.name(), store::Precondition::Version(record.store_version))});
  if (!committed.ok()) return MapConflict(committed.status(), Code::kConflict);
  Remember(record.name(), std::nullopt);
  return Status::Ok();
}

}  // namespace lamina::lambda
