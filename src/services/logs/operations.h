// The CloudWatch Logs operations. Each reads its members through the RequestReader (so every
// violation is reported at once), calls Finish, does its work through the LogStore, and returns
// the response body (null for operations without output). Errors are Statuses, rendered by
// LogsService through RenderError.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/clock.h"
#include "common/status.h"
#include "http/service.h"
#include "services/logs/log_store.h"
#include "services/logs/request_reader.h"

namespace lamina::services::logs {

// What one operation works with; everything is borrowed for the duration of the call.
struct LogsCall {
  const http::CallContext& context;
  RequestReader& request;
  LogStore& store;
  const Clock& clock;
};

using OpResult = StatusOr<nlohmann::json>;
using Operation = OpResult (*)(LogsCall& call);

// group_ops.cc
OpResult CreateLogGroup(LogsCall& call);
OpResult DeleteLogGroup(LogsCall& call);
OpResult DescribeLogGroups(LogsCall& call);
// retention_ops.cc
OpResult PutRetentionPolicy(LogsCall& call);
OpResult DeleteRetentionPolicy(LogsCall& call);
// stream_ops.cc
OpResult CreateLogStream(LogsCall& call);
OpResult DeleteLogStream(LogsCall& call);
OpResult DescribeLogStreams(LogsCall& call);
// put_log_events.cc
OpResult PutLogEvents(LogsCall& call);
// get_log_events.cc
OpResult GetLogEvents(LogsCall& call);
// filter_log_events.cc
OpResult FilterLogEvents(LogsCall& call);

// The operations that read a group take it as logGroupName or logGroupIdentifier (exactly one).
struct GroupReference {
  std::optional<std::string> name;
  std::optional<std::string> identifier;
};
GroupReference ReadGroupReference(RequestReader& request);
// The group's name, once the request passed its checks.
StatusOr<std::string> ResolveGroup(const LogsCall& call, const GroupReference& reference);

}  // namespace lamina::services::logs
