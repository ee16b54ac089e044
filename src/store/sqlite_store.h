// The embedded Store: one SQLite database in WAL mode with synchronous=FULL.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "store/sqlite_db.h"
#include "store/store.h"

namespace lamina::store {

class SqliteStore final : public Store {
 public:
  // Opens (creating if needed) the database at `path`.
  static StatusOr<std::unique_ptr<SqliteStore>> Open(const std::string& path);

  StatusOr<std::optional<Entry>> Get(std::string_view key) override;
  StatusOr<std::vector<Entry>> List(std::string_view prefix, std::string_view start_after,
                                    size_t limit) override;
  StatusOr<int64_t> Commit(const std::vector<Op>& ops) override;

 private:
  explicit SqliteStore(std::unique_ptr<SqliteDb> db) : db_(std::move(db)) {}
  StatusOr<std::optional<Entry>> GetLocked(std::string_view key);

  std::mutex mu_;
  std::unique_ptr<SqliteDb> db_;  // guarded by mu_; one connection, used by one thread at a time
};

}  // namespace lamina::store
