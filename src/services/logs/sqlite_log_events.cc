// Writing and reading events of the SQLite log store.
#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>
#include <utility>

#include "common/log.h"
#include "services/logs/sqlite_log_store.h"
#include "services/logs/store_messages.h"

namespace lamina::services::logs {
namespace {

constexpr int64_t kMinInt = std::numeric_limits<int64_t>::min();
constexpr int64_t kMaxInt = std::numeric_limits<int64_t>::max();

int64_t EventSize(std::string_view message) {
  return static_cast<int64_t>(message.size()) + kEventOverheadBytes;
}

}  // namespace

// --- writes -----------------------------------------------------------------------------------

Status SqliteLogStore::Append(const std::string& group, const std::string& stream,
                              const std::vector<LogEvent>& events) {
  return Write(group, stream, events, /*create=*/true).status();
}

StatusOr<int64_t> SqliteLogStore::Put(const std::string& group, const std::string& stream,
                                      const std::vector<LogEvent>& events) {
  return Write(group, stream, events, /*create=*/false);
}

StatusOr<int64_t> SqliteLogStore::InsertEventsLocked(int64_t group_id, int64_t stream_id,
                                                     const std::vector<LogEvent>& events,
                                                     int64_t* bytes) {
  const int64_t now = clock_->NowMillis();
  int64_t first = kMaxInt, last = kMinInt, size = 0, last_id = 0;
  {
    ASSIGN_OR_RETURN(Statement st,
                     writer_->Prepare("INSERT INTO log_events (group_id, stream_id, timestamp, "
                                      "ingestion_time, message) VALUES (?, ?, ?, ?, ?)"));
    for (const LogEvent& event : events) {
      st.Bind(1, group_id).Bind(2, stream_id).Bind(3, event.timestamp).Bind(4, now);
      st.BindBlob(5, event.message);
      RETURN_IF_ERROR(st.Run());
      last_id = writer_->LastInsertRowid();
      first = std::min(first, event.timestamp);
      last = std::max(last, event.timestamp);
      size += EventSize(event.message);
    }
  }
  {
    ASSIGN_OR_RETURN(Statement st,
                     writer_->Prepare("UPDATE log_streams SET "
                                      "first_event = min(COALESCE(first_event, ?1), ?1), "
                                      "last_event = max(COALESCE(last_event, ?2), ?2), "
                                      "last_ingestion = ?3, last_sequence = ?4, "
                                      "stored_bytes = stored_bytes + ?5 WHERE id = ?6"));
    st.Bind(1, first).Bind(2, last).Bind(3, now).Bind(4, last_id).Bind(5, size).Bind(6, stream_id);
    RETURN_IF_ERROR(st.Run());
  }
  {
    ASSIGN_OR_RETURN(Statement st, writer_->Prepare("UPDATE log_groups SET stored_bytes = "
                                                    "stored_bytes + ? WHERE id = ?"));
    RETURN_IF_ERROR(st.Bind(1, size).Bind(2, group_id).Run());
  }
  *bytes = size;
  return last_id;
}

StatusOr<int64_t> SqliteLogStore::WriteLocked(const std::string& group, const std::string& stream,
                                              const std::vector<LogEvent>& events, bool create,
                                              int64_t* bytes) {
  for (const LogEvent& event : events) {
    if (event.timestamp < 0) return InvalidArgument("A log event's timestamp must not be negative");
  }
  ASSIGN_OR_RETURN(std::optional<int64_t> group_id, FindGroupLocked(group));
  if (!group_id) {
    if (!create) return NotFound(kNoSuchGroup);
    ASSIGN_OR_RETURN(int64_t created, CreateGroupLocked(group));
    group_id = created;
  }
  ASSIGN_OR_RETURN(std::optional<int64_t> stream_id, FindStreamLocked(*group_id, stream));
  if (!stream_id) {
    if (!create) return NotFound(kNoSuchStream);
    ASSIGN_OR_RETURN(int64_t created, CreateStreamLocked(*group_id, stream));
    stream_id = created;
  }
  *bytes = 0;
  if (!events.empty()) return InsertEventsLocked(*group_id, *stream_id, events, bytes);
  ASSIGN_OR_RETURN(Statement st,
                   writer_->Prepare("SELECT last_sequence FROM log_streams WHERE id = ?"));
  st.Bind(1, *stream_id);
  ASSIGN_OR_RETURN(bool row, st.Step());
  return row ? st.Int(0) : int64_t{0};
}

StatusOr<int64_t> SqliteLogStore::Write(const std::string& group, const std::string& stream,
                                        const std::vector<LogEvent>& events, bool create) {
  int64_t sequence = 0;
  {
    std::lock_guard lock(write_mu_);
    ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*writer_));
    int64_t bytes = 0;
    ASSIGN_OR_RETURN(sequence, WriteLocked(group, stream, events, create, &bytes));
    RETURN_IF_ERROR(txn.Commit());
    total_bytes_ += bytes;
    if (!events.empty()) ++appends_since_prune_;
  }
  NotePruneProgress();
  return sequence;
}

Status SqliteLogStore::AppendBatch(const std::vector<LogAppend>& appends) {
  {
    std::lock_guard lock(write_mu_);
    ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*writer_));
    int64_t total = 0;
    for (const LogAppend& a : appends) {
      int64_t bytes = 0;
      RETURN_IF_ERROR(WriteLocked(a.group, a.stream, a.events, /*create=*/true, &bytes).status());
      total += bytes;
    }
    RETURN_IF_ERROR(txn.Commit());
    total_bytes_ += total;
    appends_since_prune_ += static_cast<int>(appends.size());
  }
  NotePruneProgress();
  return Status::Ok();
}

void SqliteLogStore::NotePruneProgress() {
  {
    std::lock_guard lock(write_mu_);
    if (appends_since_prune_ < options_.prune_every_appends) return;
    appends_since_prune_ = 0;
  }
  if (pruner_.joinable()) {
    {
      std::lock_guard lock(wake_mu_);
      prune_requested_ = true;
    }
    wake_.notify_one();
    return;
  }
  // No background thread: this append pays for the prune. Its own write already committed, so
  // a failing prune is logged, not returned.
  if (Status pruned = Prune(); !pruned.ok()) {
    log::Warn("log store prune failed", {{"error", pruned.ToString()}});
  }
}

// --- reads ------------------------------------------------------------------------------------

StatusOr<std::vector<StoredEvent>> SqliteLogStore::ReadStream(const std::string& group,
                                                              const std::string& stream,
                                                              const StreamRead& read) {
  std::lock_guard lock(read_mu_);
  ASSIGN_OR_RETURN(int64_t stream_id, ReadStreamIdLocked(group, stream));
  int64_t lo = read.start_time.value_or(kMinInt);
  int64_t hi = read.end_time.value_or(kMaxInt);  // exclusive
  EventPosition cursor = read.cursor.value_or(read.forward ? EventPosition{kMinInt, kMinInt}
                                                           : EventPosition{kMaxInt, kMaxInt});
  // The cursor's timestamp also bounds the index range; the OR only settles ties.
  const char* sql =
      read.forward
          ? "SELECT id, timestamp, ingestion_time, message FROM log_events "
            "WHERE stream_id = ?1 AND timestamp >= ?2 AND timestamp < ?3 AND timestamp >= ?4 AND "
            "(timestamp > ?4 OR id > ?5) ORDER BY timestamp, id LIMIT ?6"
          : "SELECT id, timestamp, ingestion_time, message FROM log_events "
            "WHERE stream_id = ?1 AND timestamp >= ?2 AND timestamp < ?3 AND timestamp <= ?4 AND "
            "(timestamp < ?4 OR id < ?5) ORDER BY timestamp DESC, id DESC LIMIT ?6";
  ASSIGN_OR_RETURN(Statement st, reader_->Prepare(sql));
  st.Bind(1, stream_id).Bind(2, lo).Bind(3, hi).Bind(4, cursor.timestamp).Bind(5, cursor.id);
  st.Bind(6, static_cast<int64_t>(read.limit));
  std::vector<StoredEvent> events;
  size_t bytes = 0;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    std::string_view message = st.Bytes(3);
    size_t size = static_cast<size_t>(EventSize(message));
    if (!events.empty() && bytes + size > read.max_bytes) break;
    bytes += size;
    StoredEvent& event = events.emplace_back();
    event.position = {st.Int(1), st.Int(0)};
    event.ingestion_time = st.Int(2);
    event.message = std::string(message);
  }
  if (!read.forward) std::reverse(events.begin(), events.end());
  return events;
}

StatusOr<ScanPage> SqliteLogStore::ScanGroup(const std::string& group, const GroupScan& scan) {
  std::lock_guard lock(read_mu_);
  ASSIGN_OR_RETURN(std::optional<int64_t> group_id, ReadGroupIdLocked(group));
  if (!group_id) return NotFound(kNoSuchGroup);
  EventPosition after = scan.after.value_or(EventPosition{kMinInt, kMinInt});
  ASSIGN_OR_RETURN(
      Statement st,
      reader_->Prepare(
          "SELECT e.id, e.timestamp, e.ingestion_time, e.message, s.name "
          "FROM log_events e INDEXED BY log_events_by_group JOIN log_streams s ON s.id = "
          "e.stream_id WHERE e.group_id = ?1 AND e.timestamp >= ?2 AND e.timestamp <= ?3 AND "
          "e.timestamp >= ?4 AND (e.timestamp > ?4 OR e.id > ?5) AND s.name >= ?6 AND "
          "(?7 IS NULL OR s.name < ?7) AND "
          "(?8 IS NULL OR s.name IN (SELECT value FROM json_each(?8))) "
          "ORDER BY e.timestamp, e.id"));
  st.Bind(1, *group_id).Bind(2, scan.start_time.value_or(kMinInt));
  st.Bind(3, scan.end_time.value_or(kMaxInt)).Bind(4, after.timestamp).Bind(5, after.id);
  BindPrefixRange(st, 6, scan.stream_prefix);
  if (scan.stream_names.empty()) {
    st.BindNull(8);
  } else {
    st.BindText(8, nlohmann::json(scan.stream_names)
                       .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }

  ScanPage page;
  const size_t limit = std::max<size_t>(scan.limit, 1);
  const size_t max_examined = std::max<size_t>(scan.max_examined, 1);
  size_t examined = 0, bytes = 0;
  std::optional<EventPosition> consumed;  // the last row looked at
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    if (page.events.size() >= limit || examined >= max_examined) {
      page.resume_after = consumed;
      break;
    }
    EventPosition position{st.Int(1), st.Int(0)};
    std::string_view message = st.Bytes(3);
    if (!scan.match || scan.match(message)) {
      size_t size = static_cast<size_t>(EventSize(message));
      if (!page.events.empty() && bytes + size > scan.max_bytes) {
        page.resume_after = consumed;
        break;
      }
      bytes += size;
      StoredEvent& event = page.events.emplace_back();
      event.position = position;
      event.ingestion_time = st.Int(2);
      event.message = std::string(message);
      event.stream = st.String(4);
    }
    ++examined;
    consumed = position;
  }
  return page;
}

}  // namespace lamina::services::logs
