// CreateLogGroup, DeleteLogGroup, DescribeLogGroups.
#include <algorithm>
#include <set>

#include "services/logs/arns.h"
#include "services/logs/logs_errors.h"
#include "services/logs/operations.h"
#include "services/logs/shapes.h"
#include "services/logs/tokens.h"

namespace lamina::services::logs {
namespace {

constexpr const char* kGroupPageKind = "groups";
constexpr size_t kMaxTags = 50;

// Tags are checked against the model (at most 50; keys 1-128, values 0-256 characters) but not
// kept: Lamina has no tagging operations for log groups yet.
void CheckTags(RequestReader& request) {
  const nlohmann::json* tags = request.Member("tags");
  if (tags == nullptr) return;
  if (!tags->is_object()) {
    request.Violation("tags", tags, "Member must be a map");
    return;
  }
  if (tags->empty() || tags->size() > kMaxTags) {
    request.Violation("tags", tags,
                      tags->empty() ? "Member must have length greater than or equal to 1"
                                    : "Member must have length less than or equal to 50");
  }
  for (const auto& [key, value] : tags->items()) {
    request.CheckString("tags", key, kTagKey);
    if (!value.is_string()) {
      request.Violation("tags", &value, "Member must be a string");
    } else {
      request.CheckString("tags", value.get<std::string>(), kTagValue);
    }
  }
}

nlohmann::json GroupJson(const http::CallContext& context, const LogGroupInfo& group) {
  std::string arn = LogGroupArn(context, group.name);
  nlohmann::json out = {
      {"logGroupName", group.name},
      {"creationTime", group.creation_time},
      {"metricFilterCount", 0},
      {"arn", arn + ":*"},
      {"storedBytes", group.stored_bytes},
      {"logGroupClass", "STANDARD"},
      {"logGroupArn", arn},
  };
  if (group.retention_days) out["retentionInDays"] = *group.retention_days;
  return out;
}

// logGroupIdentifiers: the named groups that exist, in name order, after `after`.
StatusOr<std::vector<LogGroupInfo>> ListIdentified(const LogsCall& call,
                                                   const std::vector<std::string>& identifiers,
                                                   const std::string& after, size_t limit) {
  std::set<std::string> names;
  for (const std::string& identifier : identifiers) {
    auto name = GroupFromIdentifier(call.context, identifier);
    if (name.ok()) {
      names.insert(*name);
    } else if (name.status().code() != Code::kNotFound) {
      return name.status();
    }
  }
  std::vector<LogGroupInfo> out;
  for (const std::string& name : names) {
    if (name <= after || out.size() == limit) continue;
    ASSIGN_OR_RETURN(std::optional<LogGroupInfo> group, call.store.GetGroup(name));
    if (group) out.push_back(std::move(*group));
  }
  return out;
}

}  // namespace

OpResult CreateLogGroup(LogsCall& call) {
  RequestReader& request = call.request;
  std::optional<std::string> name = request.String("logGroupName", kLogGroupName, true);
  request.String("kmsKeyId", kKmsKeyId);
  CheckTags(request);
  std::optional<std::string> log_class =
      request.Enum("logGroupClass", {"STANDARD", "INFREQUENT_ACCESS", "DELIVERY"});
  request.Boolean("deletionProtectionEnabled");
  RETURN_IF_ERROR(request.Finish());
  if (log_class && *log_class != "STANDARD") {
    return InvalidParameter("Lamina supports only the STANDARD log group class.");
  }
  RETURN_IF_ERROR(call.store.CreateGroup(*name));
  return nlohmann::json();
}

OpResult DeleteLogGroup(LogsCall& call) {
  std::optional<std::string> name = call.request.String("logGroupName", kLogGroupName, true);
  RETURN_IF_ERROR(call.request.Finish());
  RETURN_IF_ERROR(call.store.DeleteGroup(*name));
  return nlohmann::json();
}

OpResult DescribeLogGroups(LogsCall& call) {
  RequestReader& request = call.request;
  std::optional<std::string> prefix = request.String("logGroupNamePrefix", kLogGroupName);
  std::optional<std::string> pattern = request.String("logGroupNamePattern", kLogGroupNamePattern);
  std::optional<std::string> token = request.String("nextToken", kNextToken);
  std::optional<int64_t> limit = request.Integer("limit", 1, 50);
  request.StringList("accountIdentifiers", kAccountId, 0, 20);
  request.Boolean("includeLinkedAccounts");
  std::optional<std::string> log_class =
      request.Enum("logGroupClass", {"STANDARD", "INFREQUENT_ACCESS", "DELIVERY"});
  std::optional<std::vector<std::string>> identifiers =
      request.StringList("logGroupIdentifiers", kLogGroupIdentifier, 1, 50);
  RETURN_IF_ERROR(request.Finish());
  if (prefix && pattern) {
    return InvalidParameter(
        "LogGroupNamePrefix and LogGroupNamePattern are mutually exclusive parameters.");
  }
  if (identifiers && (prefix || pattern)) {
    return InvalidParameter(
        "logGroupIdentifiers cannot be combined with logGroupNamePrefix or logGroupNamePattern.");
  }
  std::string after;
  if (token) {
    std::optional<std::string> cursor = ParsePageToken(kGroupPageKind, *token);
    if (!cursor) return InvalidParameter("The specified nextToken is invalid.");
    after = *cursor;
  }
  const size_t page_size = static_cast<size_t>(limit.value_or(50));
  std::vector<LogGroupInfo> groups;
  if (log_class && *log_class != "STANDARD") {
    // Every Lamina group is STANDARD.
  } else if (identifiers) {
    ASSIGN_OR_RETURN(groups, ListIdentified(call, *identifiers, after, page_size + 1));
  } else {
    GroupListQuery query;
    query.prefix = prefix.value_or("");
    query.contains = pattern.value_or("");
    query.after = after;
    query.limit = page_size + 1;  // one more tells whether there is a next page
    ASSIGN_OR_RETURN(groups, call.store.ListGroups(query));
  }
  nlohmann::json out = {{"logGroups", nlohmann::json::array()}};
  for (size_t i = 0; i < groups.size() && i < page_size; ++i) {
    out["logGroups"].push_back(GroupJson(call.context, groups[i]));
  }
  if (groups.size() > page_size) {
    out["nextToken"] = FormatPageToken(kGroupPageKind, groups[page_size - 1].name);
  }
  return out;
}

}  // namespace lamina::services::logs
