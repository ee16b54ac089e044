// FilterLogEvents: a group's events across its streams, interleaved in position order, that
// match a filter pattern.
//
// A page ends after `limit` events, 1 MB of them, or 100,000 events examined, whichever comes
// first; a nextToken then continues from there (so, as on CloudWatch, a page may be empty and
// still carry a nextToken). `interleaved` is accepted and ignored: results are always
// interleaved, as CloudWatch's have been since 2019.
#include <cstdint>
#include <limits>

#include "services/logs/filter_pattern.h"
#include "services/logs/logs_errors.h"
#include "services/logs/operations.h"
#include "services/logs/shapes.h"
#include "services/logs/tokens.h"

namespace lamina::services::logs {
namespace {

constexpr const char* kEventPageKind = "events";

}  // namespace

OpResult FilterLogEvents(LogsCall& call) {
  RequestReader& request = call.request;
  GroupReference reference = ReadGroupReference(request);
  std::optional<std::vector<std::string>> names =
      request.StringList("logStreamNames", kLogStreamName, 1, 100);
  std::optional<std::string> prefix = request.String("logStreamNamePrefix", kLogStreamName);
  const int64_t max_time = std::numeric_limits<int64_t>::max();
  std::optional<int64_t> start_time = request.Integer("startTime", 0, max_time);
  std::optional<int64_t> end_time = request.Integer("endTime", 0, max_time);
  std::optional<std::string> pattern_text = request.String("filterPattern", kFilterPattern);
  std::optional<std::string> token = request.String("nextToken", kNextToken);
  std::optional<int64_t> limit = request.Integer("limit", 1, 10000);
  request.Boolean("interleaved");
  request.Boolean("unmask");
  RETURN_IF_ERROR(request.Finish());
  ASSIGN_OR_RETURN(std::string group, ResolveGroup(call, reference));
  if (names && prefix) {
    return InvalidParameter(
        "logStreamNames and logStreamNamePrefix are mutually exclusive parameters.");
  }
  StatusOr<FilterPattern> pattern = FilterPattern::Parse(pattern_text.value_or(""));
  if (!pattern.ok()) return InvalidParameter(pattern.status().message());

  GroupScan scan;
  if (names) scan.stream_names = std::move(*names);
  scan.stream_prefix = prefix.value_or("");
  scan.start_time = start_time;
  scan.end_time = end_time;
  scan.limit = static_cast<size_t>(limit.value_or(10000));
  if (token) {
    std::optional<std::string> cursor = ParsePageToken(kEventPageKind, *token);
    std::optional<EventPosition> after = cursor ? ParsePosition(*cursor) : std::nullopt;
    if (!after) return InvalidParameter("The specified nextToken is invalid.");
    scan.after = after;
  }
  if (!pattern->matches_everything()) {
    scan.match = [&pattern](std::string_view message) { return pattern->Matches(message); };
  }
  ASSIGN_OR_RETURN(ScanPage page, call.store.ScanGroup(group, scan));

  nlohmann::json out = {{"events", nlohmann::json::array()},
                        {"searchedLogStreams", nlohmann::json::array()}};
  for (const StoredEvent& event : page.events) {
    out["events"].push_back({{"logStreamName", event.stream},
                             {"timestamp", event.position.timestamp},
                             {"message", event.message},
                             {"ingestionTime", event.ingestion_time},
                             {"eventId", FormatPosition(event.position)}});
  }
  if (page.resume_after) {
    out["nextToken"] = FormatPageToken(kEventPageKind, FormatPosition(*page.resume_after));
  }
  return out;
}

}  // namespace lamina::services::logs
