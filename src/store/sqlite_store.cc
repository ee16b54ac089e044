#include "store/sqlite_store.h"

namespace lamina::store {

StatusOr<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path) {
  ASSIGN_OR_RETURN(std::unique_ptr<SqliteDb> db, SqliteDb::Open(path, /*read_only=*/false));
  // WAL keeps readers off the writer's back; synchronous=FULL makes every commit durable before
  // it is acknowledged, across kill -9 and power loss alike.
  RETURN_IF_ERROR(db->Exec("PRAGMA journal_mode=WAL"));
  RETURN_IF_ERROR(db->Exec("PRAGMA synchronous=FULL"));
  RETURN_IF_ERROR(
      db->Exec("CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value BLOB NOT NULL, "
               "version INTEGER NOT NULL) WITHOUT ROWID"));
  RETURN_IF_ERROR(
      db->Exec("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL)"));
  RETURN_IF_ERROR(db->Exec("INSERT OR IGNORE INTO meta VALUES ('revision', 0)"));
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(db)));
}

StatusOr<std::optional<Entry>> SqliteStore::GetLocked(std::string_view key) {
  ASSIGN_OR_RETURN(Statement st, db_->Prepare("SELECT value, version FROM kv WHERE key = ?"));
  st.BindText(1, key);
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::optional<Entry>();
  return std::optional<Entry>(Entry{std::string(key), st.String(0), st.Int(1)});
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
  ASSIGN_OR_RETURN(Statement st,
                   db_->Prepare("SELECT key, value, version FROM kv WHERE substr(CAST(key AS "
                                "BLOB), 1, ?) = ? AND key > ? ORDER BY key LIMIT ?"));
  st.Bind(1, static_cast<int64_t>(prefix.size()));
  st.BindBlob(2, prefix);
  st.BindText(3, start_after);
  st.Bind(4, limit == 0 ? int64_t{-1} : static_cast<int64_t>(limit));
  std::vector<Entry> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back(Entry{st.String(0), st.String(1), st.Int(2)});
  }
  return out;
}

StatusOr<int64_t> SqliteStore::Commit(const std::vector<Op>& ops) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*db_));
  int64_t revision;
  {
    ASSIGN_OR_RETURN(Statement st, db_->Prepare("UPDATE meta SET value = value + 1 WHERE name = "
                                                "'revision' RETURNING value"));
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return db_->Error("revision");
    revision = st.Int(0);
  }
  // Every precondition is checked before any operation is applied, so each sees the state the
  // commit started from, as an etcd transaction's compares do.
  for (const Op& op : ops) {
    if (op.precondition.kind == Precondition::Kind::kNone) continue;
    ASSIGN_OR_RETURN(std::optional<Entry> current, GetLocked(op.key));
    bool holds = true;
    switch (op.precondition.kind) {
      case Precondition::Kind::kAbsent:
        holds = !current.has_value();
        break;
      case Precondition::Kind::kPresent:
        holds = current.has_value();
        break;
      case Precondition::Kind::kVersion:
        holds = current.has_value() && current->version == op.precondition.version;
        break;
      case Precondition::Kind::kNone:
        break;
    }
    if (!holds) return FailedPrecondition(op.key);  // the transaction rolls back
  }
  for (const Op& op : ops) {
    if (op.type == Op::Type::kPut) {
      ASSIGN_OR_RETURN(Statement st, db_->Prepare("INSERT OR REPLACE INTO kv (key, value, "
                                                  "version) VALUES (?, ?, ?)"));
      RETURN_IF_ERROR(st.BindText(1, op.key).BindBlob(2, op.value).Bind(3, revision).Run());
    } else {
      ASSIGN_OR_RETURN(Statement st, db_->Prepare("DELETE FROM kv WHERE key = ?"));
      RETURN_IF_ERROR(st.BindText(1, op.key).Run());
    }
  }
  RETURN_IF_ERROR(txn.Commit());
  return revision;
}

}  // namespace lamina::store
