// CreateLogStream, DeleteLogStream, DescribeLogStreams.
#include <charconv>

#include "services/logs/arns.h"
#include "services/logs/logs_errors.h"
#include "services/logs/operations.h"
#include "services/logs/shapes.h"
#include "services/logs/tokens.h"

namespace lamina::services::logs {
namespace {

constexpr const char* kStreamPageKind = "streams";

// A stream cursor as "<last event timestamp>/<name>".
std::string FormatCursor(const LogStreamInfo& stream) {
  return std::to_string(stream.last_event_timestamp.value_or(0)) + "/" + stream.name;
}

std::optional<StreamCursor> ParseCursor(const std::string& text) {
  size_t slash = text.find('/');
  if (slash == std::string::npos) return std::nullopt;
  StreamCursor cursor;
  auto [end, ec] = std::from_chars(text.data(), text.data() + slash, cursor.last_event_timestamp);
  if (ec != std::errc() || end != text.data() + slash) return std::nullopt;
  cursor.name = text.substr(slash + 1);
  return cursor;
}

nlohmann::json StreamJson(const http::CallContext& context, const std::string& group,
                          const LogStreamInfo& stream) {
  nlohmann::json out = {
      {"logStreamName", stream.name},
      {"creationTime", stream.creation_time},
      {"arn", LogStreamArn(context, group, stream.name)},
      // CloudWatch stopped reporting a stream's size in 2019 and always says 0.
      {"storedBytes", 0},
  };
  if (stream.first_event_timestamp) out["firstEventTimestamp"] = *stream.first_event_timestamp;
  if (stream.last_event_timestamp) out["lastEventTimestamp"] = *stream.last_event_timestamp;
  if (stream.last_ingestion_time) out["lastIngestionTime"] = *stream.last_ingestion_time;
  if (stream.last_sequence > 0) {
    out["uploadSequenceToken"] = FormatSequenceToken(stream.last_sequence);
  }
  return out;
}

}  // namespace

OpResult CreateLogStream(LogsCall& call) {
  std::optional<std::string> group = call.request.String("logGroupName", kLogGroupName, true);
  std::optional<std::string> stream = call.request.String("logStreamName", kLogStreamName, true);
  RETURN_IF_ERROR(call.request.Finish());
  RETURN_IF_ERROR(call.store.CreateStream(*group, *stream));
  return nlohmann::json();
}

OpResult DeleteLogStream(LogsCall& call) {
  std::optional<std::string> group = call.request.String("logGroupName", kLogGroupName, true);
  std::optional<std::string> stream = call.request.String("logStreamName", kLogStreamName, true);
  RETURN_IF_ERROR(call.request.Finish());
  RETURN_IF_ERROR(call.store.DeleteStream(*group, *stream));
  return nlohmann::json();
}

OpResult DescribeLogStreams(LogsCall& call) {
  RequestReader& request = call.request;
  GroupReference reference = ReadGroupReference(request);
  std::optional<std::string> prefix = request.String("logStreamNamePrefix", kLogStreamName);
  std::optional<std::string> order = request.Enum("orderBy", {"LogStreamName", "LastEventTime"});
  std::optional<bool> descending = request.Boolean("descending");
  std::optional<std::string> token = request.String("nextToken", kNextToken);
  std::optional<int64_t> limit = request.Integer("limit", 1, 50);
  RETURN_IF_ERROR(request.Finish());
  ASSIGN_OR_RETURN(std::string group, ResolveGroup(call, reference));
  const bool by_time = order && *order == "LastEventTime";
  if (by_time && prefix) {
    return InvalidParameter("Cannot order by LastEventTime with a logStreamNamePrefix.");
  }
  StreamListQuery query;
  query.prefix = prefix.value_or("");
  query.order = by_time ? StreamOrder::kLastEventTime : StreamOrder::kName;
  query.descending = descending.value_or(false);
  if (token) {
    std::optional<std::string> text = ParsePageToken(kStreamPageKind, *token);
    std::optional<StreamCursor> cursor = text ? ParseCursor(*text) : std::nullopt;
    if (!cursor) return InvalidParameter("The specified nextToken is invalid.");
    query.after = std::move(*cursor);
  }
  const size_t page_size = static_cast<size_t>(limit.value_or(50));
  query.limit = page_size + 1;  // one more tells whether there is a next page
  ASSIGN_OR_RETURN(std::vector<LogStreamInfo> streams, call.store.ListStreams(group, query));
  nlohmann::json out = {{"logStreams", nlohmann::json::array()}};
  for (size_t i = 0; i < streams.size() && i < page_size; ++i) {
    out["logStreams"].push_back(StreamJson(call.context, group, streams[i]));
  }
  if (streams.size() > page_size) {
    out["nextToken"] = FormatPageToken(kStreamPageKind, FormatCursor(streams[page_size - 1]));
  }
  return out;
}

}  // namespace lamina::services::logs
