#include "store/sqlite_store.h"

#include <sqlite3.h>

namespace lamina::store {
namespace {

// Owns a prepared statement.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) : db_(db) {
    rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr);
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Status status() const {
    return rc_ == SQLITE_OK ? Status::Ok()
                            : Internal(std::string("sqlite: ") + sqlite3_errmsg(db_));
  }
  void Bind(int i, std::string_view text) {
    sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  void BindBlob(int i, std::string_view data) {
    sqlite3_bind_blob(stmt_, i, data.data(), static_cast<int>(data.size()), SQLITE_TRANSIENT);
  }
  void Bind(int i, int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  int Step() { return sqlite3_step(stmt_); }
  std::string Text(int col) {
    const void* p = sqlite3_column_blob(stmt_, col);
    int n = sqlite3_column_bytes(stmt_, col);
    return p ? std::string(static_cast<const char*>(p), static_cast<size_t>(n)) : std::string();
  }
  int64_t Int(int col) { return sqlite3_column_int64(stmt_, col); }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  int rc_;
};

Status SqliteError(sqlite3* db, const std::string& what) {
  return Internal("sqlite " + what + ": " + sqlite3_errmsg(db));
}

}  // namespace

StatusOr<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Internal("cannot open store " + path + ": " + message);
  }
  std::unique_ptr<SqliteStore> store(new SqliteStore(db));
  sqlite3_busy_timeout(db, 5000);
  // WAL keeps readers off the writer's back; synchronous=FULL makes every commit durable before
  // it is acknowledged, across kill -9 and power loss alike.
  RETURN_IF_ERROR(store->Exec("PRAGMA journal_mode=WAL"));
  RETURN_IF_ERROR(store->Exec("PRAGMA synchronous=FULL"));
  RETURN_IF_ERROR(
      store->Exec("CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value BLOB NOT NULL, "
                  "version INTEGER NOT NULL) WITHOUT ROWID"));
  RETURN_IF_ERROR(store->Exec(
      "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL)"));
  RETURN_IF_ERROR(store->Exec("INSERT OR IGNORE INTO meta VALUES ('revision', 0)"));
  return store;
}

SqliteStore::~SqliteStore() { sqlite3_close_v2(db_); }

Status SqliteStore::Exec(const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    return Internal(std::string("sqlite: ") + sql + ": " + message);
  }
  return Status::Ok();
}

StatusOr<std::optional<Entry>> SqliteStore::GetLocked(std::string_view key) {
  Statement st(db_, "SELECT value, version FROM kv WHERE key = ?");
  RETURN_IF_ERROR(st.status());
  st.Bind(1, key);
  int rc = st.Step();
  if (rc == SQLITE_DONE) return std::optional<Entry>();
  if (rc != SQLITE_ROW) return SqliteError(db_, "get");
  return std::optional<Entry>(Entry{std::string(key), st.Text(0), st.Int(1)});
}

StatusOr<std::optional<Entry>> SqliteStore::Get(std::string_view key) {
  std::lock_guard lock(mu_);
  return GetLocked(key);
}

StatusOr<std::vector<Entry>> SqliteStore::List(std::string_view prefix,
                                               std::string_view start_after, size_t limit) {
  std::lock_guard lock(mu_);
  // The prefix is compared as bytes, so it needs no LIKE escaping. The key is cast to a BLOB
  // first: substr() of TEXT counts characters, not bytes, and would miss non-ASCII prefixes.
  Statement st(db_,
               "SELECT key, value, version FROM kv WHERE substr(CAST(key AS BLOB), 1, ?) = ? "
               "AND key > ? ORDER BY key LIMIT ?");
  RETURN_IF_ERROR(st.status());
  st.Bind(1, static_cast<int64_t>(prefix.size()));
  st.BindBlob(2, prefix);
  st.Bind(3, start_after);
  st.Bind(4, limit == 0 ? int64_t{-1} : static_cast<int64_t>(limit));
  std::vector<Entry> out;
  for (;;) {
    int rc = st.Step();
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return SqliteError(db_, "list");
    out.push_back(Entry{st.Text(0), st.Text(1), st.Int(2)});
  }
  return out;
}

StatusOr<int64_t> SqliteStore::Commit(const std::vector<Op>& ops) {
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
  auto rollback = [this](Status s) {
    (void)Exec("ROLLBACK");
    return s;
  };
  int64_t revision;
  {
    Statement st(db_, "UPDATE meta SET value = value + 1 WHERE name = 'revision' RETURNING value");
    if (!st.status().ok()) return rollback(st.status());
    if (st.Step() != SQLITE_ROW) return rollback(SqliteError(db_, "revision"));
    revision = st.Int(0);
  }
  // Every precondition is checked before any operation is applied, so each sees the state the
  // commit started from, as an etcd transaction's compares do.
  for (const Op& op : ops) {
    if (op.precondition.kind == Precondition::Kind::kNone) continue;
    auto current = GetLocked(op.key);
    if (!current.ok()) return rollback(current.status());
    bool holds = true;
    switch (op.precondition.kind) {
      case Precondition::Kind::kAbsent:
        holds = !current->has_value();
        break;
      case Precondition::Kind::kPresent:
        holds = current->has_value();
        break;
      case Precondition::Kind::kVersion:
        holds = current->has_value() && (*current)->version == op.precondition.version;
        break;
      case Precondition::Kind::kNone:
        break;
    }
    if (!holds) return rollback(FailedPrecondition(op.key));
  }
  for (const Op& op : ops) {
    if (op.type == Op::Type::kPut) {
      Statement st(db_, "INSERT OR REPLACE INTO kv (key, value, version) VALUES (?, ?, ?)");
      if (!st.status().ok()) return rollback(st.status());
      st.Bind(1, op.key);
      st.BindBlob(2, op.value);
      st.Bind(3, revision);
      if (st.Step() != SQLITE_DONE) return rollback(SqliteError(db_, "put"));
    } else {
      Statement st(db_, "DELETE FROM kv WHERE key = ?");
      if (!st.status().ok()) return rollback(st.status());
      st.Bind(1, op.key);
      if (st.Step() != SQLITE_DONE) return rollback(SqliteError(db_, "delete"));
    }
  }
  Status committed = Exec("COMMIT");
  if (!committed.ok()) return rollback(committed);
  return revision;
}

}  // namespace lamina::store
