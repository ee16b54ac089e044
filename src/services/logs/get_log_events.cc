// GetLogEvents: one page of a stream, with CloudWatch's forward/backward tokens.
//
// Without a token the page is the stream's first events (startFromHead) or its last ones. With
// "f/<position>" it is the events after that position, with "b/<position>" the ones before it.
// Both tokens come back on every answer, also when the page is empty: then the token that was
// sent comes back unchanged (that is how clients, `--follow`-style pollers included, know they
// are at the end), and the other one points at the same place from the other side.
#include <cstdint>
#include <limits>

#include "services/logs/logs_errors.h"
#include "services/logs/operations.h"
#include "services/logs/shapes.h"
#include "services/logs/tokens.h"

namespace lamina::services::logs {
namespace {

constexpr int64_t kMaxTime = std::numeric_limits<int64_t>::max();

// The position just before `p`: reading forward from it starts at `p`.
EventPosition Before(EventPosition p) {
  if (p.id > 0) return {p.timestamp, p.id - 1};
  if (p.timestamp > 0) return {p.timestamp - 1, std::numeric_limits<int64_t>::max()};
  return p;
}

// The position just after `p`: reading backward from it ends with `p`.
EventPosition After(EventPosition p) {
  if (p.id < std::numeric_limits<int64_t>::max()) return {p.timestamp, p.id + 1};
  return {p.timestamp + 1, 0};
}

}  // namespace

OpResult GetLogEvents(LogsCall& call) {
  RequestReader& request = call.request;
  GroupReference reference = ReadGroupReference(request);
  std::optional<std::string> stream = request.String("logStreamName", kLogStreamName, true);
  std::optional<int64_t> start_time = request.Integer("startTime", 0, kMaxTime);
  std::optional<int64_t> end_time = request.Integer("endTime", 0, kMaxTime);
  std::optional<std::string> token = request.String("nextToken", kNextToken);
  std::optional<int64_t> limit = request.Integer("limit", 1, 10000);
  std::optional<bool> from_head = request.Boolean("startFromHead");
  request.Boolean("unmask");
  RETURN_IF_ERROR(request.Finish());
  ASSIGN_OR_RETURN(std::string group, ResolveGroup(call, reference));

  StreamRead read;
  read.start_time = start_time;
  read.end_time = end_time;
  read.limit = static_cast<size_t>(limit.value_or(10000));
  std::optional<StreamToken> sent;
  if (token) {
    sent = ParseStreamToken(*token);
    if (!sent) return InvalidParameter("The specified nextToken is invalid.");
    read.forward = sent->forward;
    read.cursor = sent->position;
  } else {
    read.forward = from_head.value_or(false);
  }
  ASSIGN_OR_RETURN(std::vector<StoredEvent> events, call.store.ReadStream(group, *stream, read));

  StreamToken forward{true, {}}, backward{false, {}};
  if (!events.empty()) {
    forward.position = events.back().position;
    backward.position = events.front().position;
  } else if (sent && sent->forward) {
    forward.position = sent->position;
    backward.position = After(sent->position);
  } else if (sent) {
    backward.position = sent->position;
    forward.position = Before(sent->position);
  }
  nlohmann::json out = {{"events", nlohmann::json::array()},
                        {"nextForwardToken", FormatStreamToken(forward)},
                        {"nextBackwardToken", FormatStreamToken(backward)}};
  for (const StoredEvent& event : events) {
    out["events"].push_back({{"timestamp", event.position.timestamp},
                             {"message", event.message},
                             {"ingestionTime", event.ingestion_time}});
  }
  return out;
}

}  // namespace lamina::services::logs
