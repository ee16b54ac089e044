// The durable home of log groups, log streams and their events: what CloudWatch Logs keeps, and
// what the invoke path writes after every invocation.
//
// Order and identity. Every stored event gets an id from one store-wide counter that only grows
// (ids are never reused, not even after deletes), so the id is a stable identity for tokens and
// eventIds. Readers see events in position order: by timestamp, then by id (the order of
// ingestion breaks timestamp ties).
//
// Errors. The store speaks the canonical codes with CloudWatch's own messages, so the service can
// pass them on: NotFound "The specified log group does not exist." / "The specified log stream
// does not exist.", AlreadyExists "The specified log group already exists" / "The specified log
// stream already exists", InvalidArgument for a negative timestamp, Internal when the disk fails.
//
// Sizes. An event counts as its message's bytes plus 26, the per-event overhead CloudWatch uses
// for batch sizes; storedBytes of a group and the store-wide cap use this measure.
//
// Retention. A group's retentionInDays (none: forever) and a store-wide cap on the total size are
// enforced by Prune, which deletes events whose timestamp is older than their group's retention,
// then the oldest events (by id, i.e. ingestion order) of any group until the total is within the
// cap. Between prunes the total may exceed the cap by what was appended since the last one. When
// Prune runs is the implementation's business (see SqliteLogStoreOptions). Streams and groups are
// never pruned, only their events; a stream keeps its first/last event timestamps.
//
// Thread-safety: every method may be called from any thread concurrently.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace lamina::services::logs {

// The per-event overhead counted in sizes, as CloudWatch does.
inline constexpr int64_t kEventOverheadBytes = 26;

// An event to append.
struct LogEvent {
  int64_t timestamp = 0;  // milliseconds since the epoch; never negative
  std::string message;
};

// Where an event sits in read order.
struct EventPosition {
  int64_t timestamp = 0;
  int64_t id = 0;
  friend auto operator<=>(const EventPosition&, const EventPosition&) = default;
};

struct StoredEvent {
  EventPosition position;
  int64_t ingestion_time = 0;
  std::string stream;  // set by ScanGroup only
  std::string message;
};

struct LogGroupInfo {
  std::string name;
  int64_t creation_time = 0;
  std::optional<int> retention_days;  // none: kept until the store-wide cap needs the space
  int64_t stored_bytes = 0;
};

struct LogStreamInfo {
  std::string name;
  int64_t creation_time = 0;
  // Absent until the first event is appended.
  std::optional<int64_t> first_event_timestamp;
  std::optional<int64_t> last_event_timestamp;
  std::optional<int64_t> last_ingestion_time;
  int64_t last_sequence = 0;  // id of the last event appended; 0 before the first
  int64_t stored_bytes = 0;
};

struct GroupListQuery {
  std::string prefix;    // only names starting with this
  std::string contains;  // only names containing this, ignoring ASCII case
  std::string after;     // only names ordered after this (byte order); "" from the start
  size_t limit = 50;
};

enum class StreamOrder { kName, kLastEventTime };

// Where a stream listing resumes: strictly after this stream in the listing's order. Streams
// without events sort as if their last event were at 0.
struct StreamCursor {
  int64_t last_event_timestamp = 0;  // used with kLastEventTime only
  std::string name;
};

struct StreamListQuery {
  std::string prefix;
  StreamOrder order = StreamOrder::kName;
  bool descending = false;
  std::optional<StreamCursor> after;
  size_t limit = 50;
};

// One page of a stream's events (GetLogEvents).
struct StreamRead {
  // Forward reads events after `cursor` (or from the first) in position order; backward reads
  // the events just before `cursor` (or the last ones). Either way the page is returned in
  // position order.
  bool forward = true;
  std::optional<EventPosition> cursor;
  std::optional<int64_t> start_time;  // inclusive
  std::optional<int64_t> end_time;    // exclusive
  size_t limit = 10000;
  size_t max_bytes = 1 << 20;  // sizes of the events returned; at least one event is returned
};

// One page of a group's events across streams (FilterLogEvents).
struct GroupScan {
  std::vector<std::string> stream_names;  // only these streams; empty: every stream
  std::string stream_prefix;              // only streams whose name starts with this
  std::optional<int64_t> start_time;      // inclusive
  std::optional<int64_t> end_time;        // inclusive
  std::optional<EventPosition> after;     // resume strictly after this position
  // Keeps the events whose message it accepts; null keeps all. Called without the store's
  // writer lock, but it must not call back into the store.
  std::function<bool(std::string_view message)> match;
  size_t limit = 10000;
  size_t max_bytes = 1 << 20;
  // Events examined (matched or not) before the page ends anyway, so a rare pattern over a big
  // group cannot hold a reader for long; the caller resumes from `resume_after`.
  size_t max_examined = 100000;
};

struct ScanPage {
  std::vector<StoredEvent> events;
  // Set when the page ended before the events did: pass it as `after` to continue.
  std::optional<EventPosition> resume_after;
};

// One stream's share of an AppendBatch.
struct LogAppend {
  std::string group;
  std::string stream;
  std::vector<LogEvent> events;
};

class LogStore {
 public:
  virtual ~LogStore() = default;

  // The invoke path's write: appends `events` (in the given order, which need not be
  // chronological) to `stream` of `group`, creating the group (with the store's default
  // retention) and the stream when absent. One transaction: all events or none.
  virtual Status Append(const std::string& group, const std::string& stream,
                        const std::vector<LogEvent>& events) = 0;
  // Many appends in one transaction (the invoke path batches them under load): each as Append
  // would do it, all or none.
  virtual Status AppendBatch(const std::vector<LogAppend>& appends) = 0;
  // PutLogEvents' write: like Append, but the group and stream must exist. Returns the stream's
  // sequence number (the id of its last event) after the write; `events` may be empty.
  virtual StatusOr<int64_t> Put(const std::string& group, const std::string& stream,
                                const std::vector<LogEvent>& events) = 0;

  virtual Status CreateGroup(const std::string& name) = 0;
  // Deletes the group with its streams and events.
  virtual Status DeleteGroup(const std::string& name) = 0;
  virtual StatusOr<std::optional<LogGroupInfo>> GetGroup(const std::string& name) = 0;
  // Groups in name order.
  virtual StatusOr<std::vector<LogGroupInfo>> ListGroups(const GroupListQuery& query) = 0;
  // Sets (or, with nullopt, removes) the group's retention.
  virtual Status SetRetention(const std::string& group, std::optional<int> days) = 0;

  virtual Status CreateStream(const std::string& group, const std::string& stream) = 0;
  // Deletes the stream with its events.
  virtual Status DeleteStream(const std::string& group, const std::string& stream) = 0;
  virtual StatusOr<std::vector<LogStreamInfo>> ListStreams(const std::string& group,
                                                           const StreamListQuery& query) = 0;

  virtual StatusOr<std::vector<StoredEvent>> ReadStream(const std::string& group,
                                                        const std::string& stream,
                                                        const StreamRead& read) = 0;
  virtual StatusOr<ScanPage> ScanGroup(const std::string& group, const GroupScan& scan) = 0;

  // Applies retention and the size cap now (see above).
  virtual Status Prune() = 0;
};

}  // namespace lamina::services::logs
