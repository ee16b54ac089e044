// A thin owner of one SQLite connection, shared by Lamina's SQLite stores: prepared statements
// cached by their SQL text (hot paths run the same few statements again and again, and preparing
// them costs more than running them), and an RAII transaction.
//
// Not thread-safe: the owner serializes every use of a connection and of the statements it hands
// out. A Statement borrows a cached sqlite3_stmt and resets it when destroyed, so at most one
// Statement per SQL text may be alive at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace lamina::store {

class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Statement();
  Statement(Statement&& other) noexcept : db_(other.db_), stmt_(other.stmt_) {
    other.stmt_ = nullptr;
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement& operator=(Statement&&) = delete;

  // Parameters are 1-based, as in SQLite. Text and blobs are copied.
  Statement& Bind(int index, int64_t value);
  Statement& BindText(int index, std::string_view text);
  Statement& BindBlob(int index, std::string_view bytes);
  Statement& BindNull(int index);

  // Advances: true when a row is ready, false when the statement is done.
  StatusOr<bool> Step();
  // Runs a statement to its end, ignoring any rows, and resets it for another run.
  Status Run();

  // Columns of the current row, 0-based.
  int64_t Int(int column) const;
  bool IsNull(int column) const;
  // Bytes of a TEXT or BLOB column; valid until the next Step.
  std::string_view Bytes(int column) const;
  std::string String(int column) const { return std::string(Bytes(column)); }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class SqliteDb {
 public:
  // Opens (creating when `read_only` is false) the database at `path`.
  static StatusOr<std::unique_ptr<SqliteDb>> Open(const std::string& path, bool read_only);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  // Runs one or more statements without results (schema, pragmas, BEGIN/COMMIT).
  Status Exec(const char* sql);
  // The cached statement for `sql`, reset and unbound.
  StatusOr<Statement> Prepare(std::string_view sql);
  // The last error of this connection, prefixed with `what`.
  Status Error(std::string_view what) const;
  // The rowid of the last INSERT on this connection.
  int64_t LastInsertRowid() const;
  // How many rows the last INSERT, UPDATE or DELETE on this connection changed.
  int64_t Changes() const;

 private:
  explicit SqliteDb(sqlite3* db) : db_(db) {}

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
};

// BEGIN IMMEDIATE ... COMMIT; rolled back when destroyed uncommitted.
class Transaction {
 public:
  static StatusOr<Transaction> Begin(SqliteDb& db);
  ~Transaction();
  Transaction(Transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  Transaction& operator=(Transaction&&) = delete;

  Status Commit();

 private:
  explicit Transaction(SqliteDb* db) : db_(db) {}
  SqliteDb* db_;  // null once committed or rolled back
};

// The smallest string greater than every string that starts with `prefix` (byte order), for a
// prefix range `name >= prefix AND name < end` an index can serve; nullopt when there is none (an
// empty prefix, or 0xff bytes only).
std::optional<std::string> PrefixEnd(std::string prefix);
// Binds `prefix` to parameter `index` and its PrefixEnd (or NULL) to `index` + 1.
void BindPrefixRange(Statement& st, int index, const std::string& prefix);

}  // namespace lamina::store
