// Opening the log database, and the groups and streams in it. Events are in
// sqlite_log_events.cc, pruning in sqlite_log_prune.cc.
#include "services/logs/sqlite_log_store.h"

#include <cstdio>
#include <utility>

#include "services/logs/store_messages.h"

namespace lamina::services::logs {
namespace {

// Ids come from AUTOINCREMENT so they are never reused: event ids stay unique for tokens and
// eventIds even after the newest events are deleted, and a re-created group or stream never
// inherits a deleted one's id. The rowid is the implicit last column of every index, so the
// event indexes order by (timestamp, id).
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS log_groups (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  creation_time INTEGER NOT NULL,
  retention_days INTEGER,
  stored_bytes INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS log_streams (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  group_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  creation_time INTEGER NOT NULL,
  first_event INTEGER,
  last_event INTEGER,
  last_ingestion INTEGER,
  last_sequence INTEGER NOT NULL DEFAULT 0,
  stored_bytes INTEGER NOT NULL DEFAULT 0,
  UNIQUE (group_id, name));
CREATE TABLE IF NOT EXISTS log_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  group_id INTEGER NOT NULL,
  stream_id INTEGER NOT NULL,
  timestamp INTEGER NOT NULL,
  ingestion_time INTEGER NOT NULL,
  message BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS log_events_by_stream ON log_events (stream_id, timestamp);
CREATE INDEX IF NOT EXISTS log_events_by_group ON log_events (group_id, timestamp);
)sql";

std::optional<int64_t> OptionalInt(const Statement& st, int column) {
  if (st.IsNull(column)) return std::nullopt;
  return st.Int(column);
}

}  // namespace

StatusOr<std::unique_ptr<SqliteLogStore>> SqliteLogStore::Open(const std::string& path,
                                                               SqliteLogStoreOptions options,
                                                               const Clock* clock) {
  std::unique_ptr<SqliteLogStore> store(new SqliteLogStore(options, clock));
  ASSIGN_OR_RETURN(store->writer_, SqliteDb::Open(path, /*read_only=*/false));
  SqliteDb& writer = *store->writer_;
  RETURN_IF_ERROR(writer.Exec("PRAGMA journal_mode=WAL"));
  RETURN_IF_ERROR(writer.Exec("PRAGMA synchronous=NORMAL"));
  char wal_pragmas[96];
  std::snprintf(wal_pragmas, sizeof wal_pragmas,
                "PRAGMA wal_autocheckpoint=%d; PRAGMA journal_size_limit=%lld", kCheckpointFrames,
                static_cast<long long>(kWalSizeLimit));
  RETURN_IF_ERROR(writer.Exec(wal_pragmas));
  RETURN_IF_ERROR(writer.Exec(kSchema));
  {
    ASSIGN_OR_RETURN(Statement st,
                     writer.Prepare("SELECT COALESCE(SUM(stored_bytes), 0) FROM log_groups"));
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (row) store->total_bytes_ = st.Int(0);
  }
  ASSIGN_OR_RETURN(store->reader_, SqliteDb::Open(path, /*read_only=*/false));
  RETURN_IF_ERROR(store->reader_->Exec("PRAGMA query_only=1"));
  if (options.prune_interval_ms > 0) {
    store->pruner_ = std::thread([s = store.get()] { s->PruneLoop(); });
  }
  return store;
}

SqliteLogStore::~SqliteLogStore() {
  {
    std::lock_guard lock(wake_mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (pruner_.joinable()) pruner_.join();
}

int64_t SqliteLogStore::total_bytes() {
  std::lock_guard lock(write_mu_);
  return total_bytes_;
}

// --- writer-side lookups ----------------------------------------------------------------------

StatusOr<std::optional<int64_t>> SqliteLogStore::FindGroupLocked(const std::string& name) {
  ASSIGN_OR_RETURN(Statement st, writer_->Prepare("SELECT id FROM log_groups WHERE name = ?"));
  st.BindText(1, name);
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::optional<int64_t>();
  return std::optional<int64_t>(st.Int(0));
}

StatusOr<int64_t> SqliteLogStore::CreateGroupLocked(const std::string& name) {
  ASSIGN_OR_RETURN(Statement st,
                   writer_->Prepare("INSERT INTO log_groups (name, creation_time, retention_days) "
                                    "VALUES (?, ?, ?)"));
  st.BindText(1, name).Bind(2, clock_->NowMillis());
  if (options_.default_retention_days) {
    st.Bind(3, *options_.default_retention_days);
  } else {
    st.BindNull(3);
  }
  RETURN_IF_ERROR(st.Run());
  return writer_->LastInsertRowid();
}

StatusOr<std::optional<int64_t>> SqliteLogStore::FindStreamLocked(int64_t group_id,
                                                                  const std::string& name) {
  ASSIGN_OR_RETURN(Statement st, writer_->Prepare("SELECT id FROM log_streams "
                                                  "WHERE group_id = ? AND name = ?"));
  st.Bind(1, group_id).BindText(2, name);
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::optional<int64_t>();
  return std::optional<int64_t>(st.Int(0));
}

StatusOr<int64_t> SqliteLogStore::CreateStreamLocked(int64_t group_id, const std::string& name) {
  ASSIGN_OR_RETURN(Statement st,
                   writer_->Prepare("INSERT INTO log_streams (group_id, name, creation_time) "
                                    "VALUES (?, ?, ?)"));
  st.Bind(1, group_id).BindText(2, name).Bind(3, clock_->NowMillis());
  RETURN_IF_ERROR(st.Run());
  return writer_->LastInsertRowid();
}

// --- groups -----------------------------------------------------------------------------------

Status SqliteLogStore::CreateGroup(const std::string& name) {
  std::lock_guard lock(write_mu_);
  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*writer_));
  ASSIGN_OR_RETURN(std::optional<int64_t> existing, FindGroupLocked(name));
  if (existing) return AlreadyExists(kGroupExists);
  ASSIGN_OR_RETURN(int64_t id, CreateGroupLocked(name));
  (void)id;
  return txn.Commit();
}

Status SqliteLogStore::DeleteGroup(const std::string& name) {
  std::lock_guard lock(write_mu_);
  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*writer_));
  int64_t id = 0, bytes = 0;
  {
    ASSIGN_OR_RETURN(Statement st, writer_->Prepare("DELETE FROM log_groups WHERE name = ? "
                                                    "RETURNING id, stored_bytes"));
    st.BindText(1, name);
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return NotFound(kNoSuchGroup);
    id = st.Int(0);
    bytes = st.Int(1);
    RETURN_IF_ERROR(st.Run());
  }
  {
    ASSIGN_OR_RETURN(Statement st, writer_->Prepare("DELETE FROM log_events WHERE group_id = ?"));
    RETURN_IF_ERROR(st.Bind(1, id).Run());
  }
  {
    ASSIGN_OR_RETURN(Statement st, writer_->Prepare("DELETE FROM log_streams WHERE group_id = ?"));
    RETURN_IF_ERROR(st.Bind(1, id).Run());
  }
  RETURN_IF_ERROR(txn.Commit());
  total_bytes_ -= bytes;
  return Status::Ok();
}

Status SqliteLogStore::SetRetention(const std::string& group, std::optional<int> days) {
  std::lock_guard lock(write_mu_);
  ASSIGN_OR_RETURN(Statement st, writer_->Prepare("UPDATE log_groups SET retention_days = ? "
                                                  "WHERE name = ? RETURNING id"));
  if (days) {
    st.Bind(1, *days);
  } else {
    st.BindNull(1);
  }
  st.BindText(2, group);
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return NotFound(kNoSuchGroup);
  return st.Run();
}

namespace {

constexpr const char* kGroupColumns = "name, creation_time, retention_days, stored_bytes";

LogGroupInfo ReadGroupRow(const Statement& st) {
  LogGroupInfo info;
  info.name = st.String(0);
  info.creation_time = st.Int(1);
  if (!st.IsNull(2)) info.retention_days = static_cast<int>(st.Int(2));
  info.stored_bytes = st.Int(3);
  return info;
}

}  // namespace

StatusOr<std::optional<LogGroupInfo>> SqliteLogStore::GetGroup(const std::string& name) {
  std::lock_guard lock(read_mu_);
  ASSIGN_OR_RETURN(Statement st, reader_->Prepare(std::string("SELECT ") + kGroupColumns +
                                                  " FROM log_groups WHERE name = ?"));
  st.BindText(1, name);
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::optional<LogGroupInfo>();
  return std::optional<LogGroupInfo>(ReadGroupRow(st));
}

StatusOr<std::vector<LogGroupInfo>> SqliteLogStore::ListGroups(const GroupListQuery& query) {
  std::lock_guard lock(read_mu_);
  // lower() folds ASCII only, which is all a group name may contain.
  ASSIGN_OR_RETURN(Statement st,
                   reader_->Prepare(std::string("SELECT ") + kGroupColumns +
                                    " FROM log_groups WHERE name > ?1 AND name >= ?2 AND "
                                    "(?3 IS NULL OR name < ?3) AND "
                                    "instr(lower(name), lower(?4)) > 0 ORDER BY name LIMIT ?5"));
  st.BindText(1, query.after);
  BindPrefixRange(st, 2, query.prefix);
  st.BindText(4, query.contains).Bind(5, static_cast<int64_t>(query.limit));
  std::vector<LogGroupInfo> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return out;
    out.push_back(ReadGroupRow(st));
  }
}

// --- streams ----------------------------------------------------------------------------------

Status SqliteLogStore::CreateStream(const std::string& group, const std::string& stream) {
  std::lock_guard lock(write_mu_);
  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*writer_));
  ASSIGN_OR_RETURN(std::optional<int64_t> group_id, FindGroupLocked(group));
  if (!group_id) return NotFound(kNoSuchGroup);
  ASSIGN_OR_RETURN(std::optional<int64_t> existing, FindStreamLocked(*group_id, stream));
  if (existing) return AlreadyExists(kStreamExists);
  ASSIGN_OR_RETURN(int64_t id, CreateStreamLocked(*group_id, stream));
  (void)id;
  return txn.Commit();
}

Status SqliteLogStore::DeleteStream(const std::string& group, const std::string& stream) {
  std::lock_guard lock(write_mu_);
  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*writer_));
  ASSIGN_OR_RETURN(std::optional<int64_t> group_id, FindGroupLocked(group));
  if (!group_id) return NotFound(kNoSuchGroup);
  int64_t id = 0, bytes = 0;
  {
    ASSIGN_OR_RETURN(Statement st,
                     writer_->Prepare("DELETE FROM log_streams WHERE group_id = ? AND name = ? "
                                      "RETURNING id, stored_bytes"));
    st.Bind(1, *group_id).BindText(2, stream);
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return NotFound(kNoSuchStream);
    id = st.Int(0);
    bytes = st.Int(1);
    RETURN_IF_ERROR(st.Run());
  }
  {
    ASSIGN_OR_RETURN(Statement st, writer_->Prepare("DELETE FROM log_events WHERE stream_id = ?"));
    RETURN_IF_ERROR(st.Bind(1, id).Run());
  }
  {
    ASSIGN_OR_RETURN(Statement st, writer_->Prepare("UPDATE log_groups SET stored_bytes = "
                                                    "stored_bytes - ? WHERE id = ?"));
    RETURN_IF_ERROR(st.Bind(1, bytes).Bind(2, *group_id).Run());
  }
  RETURN_IF_ERROR(txn.Commit());
  total_bytes_ -= bytes;
  return Status::Ok();
}

StatusOr<std::optional<int64_t>> SqliteLogStore::ReadGroupIdLocked(const std::string& name) {
  ASSIGN_OR_RETURN(Statement st, reader_->Prepare("SELECT id FROM log_groups WHERE name = ?"));
  st.BindText(1, name);
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::optional<int64_t>();
  return std::optional<int64_t>(st.Int(0));
}

StatusOr<int64_t> SqliteLogStore::ReadStreamIdLocked(const std::string& group,
                                                     const std::string& stream) {
  ASSIGN_OR_RETURN(std::optional<int64_t> group_id, ReadGroupIdLocked(group));
  if (!group_id) return NotFound(kNoSuchGroup);
  ASSIGN_OR_RETURN(Statement st, reader_->Prepare("SELECT id FROM log_streams "
                                                  "WHERE group_id = ? AND name = ?"));
  st.Bind(1, *group_id).BindText(2, stream);
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return NotFound(kNoSuchStream);
  return st.Int(0);
}

StatusOr<std::vector<LogStreamInfo>> SqliteLogStore::ListStreams(const std::string& group,
                                                                 const StreamListQuery& query) {
  std::lock_guard lock(read_mu_);
  ASSIGN_OR_RETURN(std::optional<int64_t> group_id, ReadGroupIdLocked(group));
  if (!group_id) return NotFound(kNoSuchGroup);
  // Four fixed shapes of one query (order key, direction); each is prepared once.
  const bool by_time = query.order == StreamOrder::kLastEventTime;
  const char* cmp = query.descending ? "<" : ">";
  const char* dir = query.descending ? " DESC" : "";
  std::string key = by_time ? "(COALESCE(last_event, 0), name)" : "name";
  std::string cursor = by_time ? "(?6, ?5)" : "?5";
  std::string order = by_time ? std::string("COALESCE(last_event, 0)") + dir + ", name" + dir
                              : std::string("name") + dir;
  std::string sql =
      "SELECT name, creation_time, first_event, last_event, last_ingestion, last_sequence, "
      "stored_bytes FROM log_streams WHERE group_id = ?1 AND name >= ?2 AND "
      "(?3 IS NULL OR name < ?3) AND (?5 IS NULL OR " +
      key + " " + cmp + " " + cursor + ") ORDER BY " + order + " LIMIT ?4";
  ASSIGN_OR_RETURN(Statement st, reader_->Prepare(sql));
  st.Bind(1, *group_id);
  BindPrefixRange(st, 2, query.prefix);
  st.Bind(4, static_cast<int64_t>(query.limit));
  if (query.after) {
    st.BindText(5, query.after->name).Bind(6, query.after->last_event_timestamp);
  } else {
    st.BindNull(5).BindNull(6);
  }
  std::vector<LogStreamInfo> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return out;
    LogStreamInfo info;
    info.name = st.String(0);
    info.creation_time = st.Int(1);
    info.first_event_timestamp = OptionalInt(st, 2);
    info.last_event_timestamp = OptionalInt(st, 3);
    info.last_ingestion_time = OptionalInt(st, 4);
    info.last_sequence = st.Int(5);
    info.stored_bytes = st.Int(6);
    out.push_back(std::move(info));
  }
}

}  // namespace lamina::services::logs
