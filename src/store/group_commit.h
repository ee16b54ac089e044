// Group commit for a SQLite database with one writer: writes submitted from any thread are
// applied by one writer thread, and whatever was submitted while the previous commit was syncing
// goes into the next transaction, so one fsync makes many writes durable.
//
// Each write runs inside its own savepoint: a write that fails (a condition it checks inside the
// transaction, such as "the bucket exists") is rolled back alone and told its error, while the
// others in the batch commit. A failed commit fails every write of its batch. `done` runs on the
// writer thread once the commit is durable (or failed) and must not block.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "common/status.h"
#include "store/sqlite_db.h"

namespace lamina::store {

class GroupCommit {
 public:
  using Apply = std::function<Status(SqliteDb&)>;
  using Done = std::function<void(Status)>;

  explicit GroupCommit(std::unique_ptr<SqliteDb> db);
  // Commits what is pending, then stops the writer.
  ~GroupCommit();
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  void Submit(Apply apply, Done done);
  // Submits and waits for the commit: for callers that may block.
  Status Run(Apply apply);

 private:
  struct Write {
    Apply apply;
    Done done;
  };
  void WriterLoop();

  std::unique_ptr<SqliteDb> db_;  // the writer thread's only
  std::mutex mu_;
  std::condition_variable wake_;
  std::vector<Write> pending_;  // guarded by mu_
  bool stopping_ = false;       // guarded by mu_
  std::thread writer_;
};

// Read connections to one database for any number of threads: a connection is leased to one
// thread at a time, and the pool opens another when all are leased.
class ReaderPool {
 public:
  using Configure = std::function<Status(SqliteDb&)>;
  ReaderPool(std::string path, Configure configure);

  class Lease {
   public:
    Lease(ReaderPool* pool, std::unique_ptr<SqliteDb> db) : pool_(pool), db_(std::move(db)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) noexcept = default;
    ~Lease();
    SqliteDb& operator*() const { return *db_; }
    SqliteDb* operator->() const { return db_.get(); }

   private:
    ReaderPool* pool_;
    std::unique_ptr<SqliteDb> db_;
  };
  StatusOr<Lease> Acquire();

 private:
  std::string path_;
  Configure configure_;
  std::mutex mu_;
  std::vector<std::unique_ptr<SqliteDb>> idle_;  // guarded by mu_
};

}  // namespace lamina::store
