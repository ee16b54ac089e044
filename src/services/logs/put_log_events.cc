// PutLogEvents.
//
// The batch rules are CloudWatch's: at most 10,000 events and 1,048,576 bytes (messages plus 26
// bytes each), events in chronological order spanning at most 24 hours, each event at most
// 262,144 bytes. A batch breaking one is refused whole. Events more than 14 days old, older than
// the group's retention, or more than 2 hours in the future are not stored but do not fail the
// call: rejectedLogEventsInfo reports them by index. Sequence tokens are accepted and ignored, as
// CloudWatch has done since 2023.
#include <cstdint>
#include <limits>
#include <vector>

#include "services/logs/logs_errors.h"
#include "services/logs/operations.h"
#include "services/logs/shapes.h"
#include "services/logs/store_messages.h"
#include "services/logs/tokens.h"

namespace lamina::services::logs {
namespace {

constexpr size_t kMaxEvents = 10000;
constexpr int64_t kMaxBatchBytes = 1'048'576;
constexpr int64_t kMaxEventBytes = 262'144;
constexpr int64_t kMaxSpanMs = 24 * 3600 * 1000;
constexpr int64_t kMaxAgeMs = 14 * 24 * 3600 * 1000LL;
constexpr int64_t kMaxFutureMs = 2 * 3600 * 1000;
constexpr int64_t kMillisPerDay = 24 * 3600 * 1000;

// The logEvents member: a list of {timestamp, message}; violations are recorded.
std::vector<LogEvent> ReadEvents(RequestReader& request) {
  std::vector<LogEvent> events;
  const nlohmann::json* list = request.Member("logEvents");
  if (list == nullptr) {
    request.Violation("logEvents", nullptr, "Member must not be null");
    return events;
  }
  if (!list->is_array()) {
    request.Violation("logEvents", list, "Member must be a list");
    return events;
  }
  if (list->empty()) {
    request.Violation("logEvents", list, "Member must have length greater than or equal to 1");
  } else if (list->size() > kMaxEvents) {
    request.Violation("logEvents", nullptr, "Member must have length less than or equal to 10000");
  }
  for (size_t i = 0; i < list->size(); ++i) {
    const nlohmann::json& item = (*list)[i];
    const std::string path = "logEvents." + std::to_string(i + 1) + ".member";
    if (!item.is_object()) {
      request.Violation(path, &item, "Member must be a structure");
      continue;
    }
    LogEvent event;
    auto timestamp = item.find("timestamp");
    if (timestamp == item.end() || timestamp->is_null()) {
      request.Violation(path + ".timestamp", nullptr, "Member must not be null");
    } else if (!timestamp->is_number_integer()) {
      request.Violation(path + ".timestamp", &*timestamp, "Member must be an integer");
    } else if (timestamp->is_number_unsigned() &&
               timestamp->get<uint64_t>() >
                   static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      request.Violation(path + ".timestamp", &*timestamp,
                        "Member must have value less than or equal to " +
                            std::to_string(std::numeric_limits<int64_t>::max()));
    } else if (timestamp->get<int64_t>() < 0) {
      request.Violation(path + ".timestamp", &*timestamp,
                        "Member must have value greater than or equal to 0");
    } else {
      event.timestamp = timestamp->get<int64_t>();
    }
    auto message = item.find("message");
    if (message == item.end() || message->is_null()) {
      request.Violation(path + ".message", nullptr, "Member must not be null");
    } else if (!message->is_string()) {
      request.Violation(path + ".message", &*message, "Member must be a string");
    } else {
      event.message = message->get<std::string>();
      request.CheckString(path + ".message", event.message, kEventMessage);
    }
    events.push_back(std::move(event));
  }
  return events;
}

Status CheckBatch(const std::vector<LogEvent>& events) {
  int64_t total = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    if (i > 0 && events[i].timestamp < events[i - 1].timestamp) {
      return InvalidParameter(
          "Log events in a single PutLogEvents request must be in chronological order.");
    }
    int64_t size = static_cast<int64_t>(events[i].message.size()) + kEventOverheadBytes;
    if (size > kMaxEventBytes) {
      return InvalidParameter("Log event too large: " + std::to_string(size) +
                              " bytes exceeds limit of " + std::to_string(kMaxEventBytes));
    }
    total += size;
  }
  if (total > kMaxBatchBytes) {
    return InvalidParameter("Upload too large: " + std::to_string(total) +
                            " bytes exceeds limit of " + std::to_string(kMaxBatchBytes));
  }
  if (!events.empty() && events.back().timestamp - events.front().timestamp > kMaxSpanMs) {
    return InvalidParameter(
        "The batch of log events in a single PutLogEvents request cannot span more than 24 "
        "hours.");
  }
  return Status::Ok();
}

}  // namespace

OpResult PutLogEvents(LogsCall& call) {
  RequestReader& request = call.request;
  std::optional<std::string> group = request.String("logGroupName", kLogGroupName, true);
  std::optional<std::string> stream = request.String("logStreamName", kLogStreamName, true);
  request.String("sequenceToken", kSequenceToken);
  std::vector<LogEvent> events = ReadEvents(request);
  RETURN_IF_ERROR(request.Finish());
  RETURN_IF_ERROR(CheckBatch(events));

  ASSIGN_OR_RETURN(std::optional<LogGroupInfo> info, call.store.GetGroup(*group));
  if (!info) return NotFound(kNoSuchGroup);
  const int64_t now = call.clock.NowMillis();
  const int64_t oldest = now - kMaxAgeMs;
  const int64_t newest = now + kMaxFutureMs;
  const int64_t retained = info->retention_days ? now - *info->retention_days * kMillisPerDay
                                                : std::numeric_limits<int64_t>::min();
  std::optional<size_t> too_old_end, expired_end, too_new_start;
  std::vector<LogEvent> accepted;
  for (size_t i = 0; i < events.size(); ++i) {
    const int64_t ts = events[i].timestamp;
    bool keep = true;
    if (ts < oldest) {
      too_old_end = i;
      keep = false;
    }
    if (ts < retained) {
      expired_end = i;
      keep = false;
    }
    if (ts > newest) {
      if (!too_new_start) too_new_start = i;
      keep = false;
    }
    if (keep) accepted.push_back(std::move(events[i]));
  }
  ASSIGN_OR_RETURN(int64_t sequence, call.store.Put(*group, *stream, accepted));

  nlohmann::json out = {{"nextSequenceToken", FormatSequenceToken(sequence)}};
  if (too_old_end || expired_end || too_new_start) {
    nlohmann::json& rejected = out["rejectedLogEventsInfo"];
    if (too_new_start) rejected["tooNewLogEventStartIndex"] = *too_new_start;
    if (too_old_end) rejected["tooOldLogEventEndIndex"] = *too_old_end;
    if (expired_end) rejected["expiredLogEventEndIndex"] = *expired_end;
  }
  return out;
}

}  // namespace lamina::services::logs
