#include "store/group_commit.h"

#include <future>
#include <utility>

namespace lamina::store {
namespace {

// A statement without parameters or rows, prepared once (Exec would parse it every time).
Status RunStatement(SqliteDb& db, std::string_view sql) {
  ASSIGN_OR_RETURN(Statement st, db.Prepare(sql));
  return st.Run();
}

}  // namespace

GroupCommit::GroupCommit(std::unique_ptr<SqliteDb> db) : db_(std::move(db)) {
  writer_ = std::thread([this] { WriterLoop(); });
}

GroupCommit::~GroupCommit() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  writer_.join();
}

void GroupCommit::Submit(Apply apply, Done done) {
  {
    std::lock_guard lock(mu_);
    pending_.push_back({std::move(apply), std::move(done)});
  }
  wake_.notify_one();
}

Status GroupCommit::Run(Apply apply) {
  std::promise<Status> promise;
  auto future = promise.get_future();
  Submit(std::move(apply), [&promise](Status s) { promise.set_value(std::move(s)); });
  return future.get();
}

void GroupCommit::WriterLoop() {
  for (;;) {
    std::vector<Write> batch;
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
      if (pending_.empty()) return;  // stopping, nothing left
      batch.swap(pending_);
    }
    std::vector<Status> results(batch.size());
    Status committed = [&]() -> Status {
      ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*db_));
      for (size_t i = 0; i < batch.size(); ++i) {
        RETURN_IF_ERROR(RunStatement(*db_, "SAVEPOINT write"));
        results[i] = batch[i].apply(*db_);
        if (!results[i].ok()) RETURN_IF_ERROR(RunStatement(*db_, "ROLLBACK TO write"));
        RETURN_IF_ERROR(RunStatement(*db_, "RELEASE write"));
      }
      return txn.Commit();
    }();
    for (size_t i = 0; i < batch.size(); ++i) {
      batch[i].done(committed.ok() ? std::move(results[i]) : committed);
    }
  }
}

ReaderPool::ReaderPool(std::string path, Configure configure)
    : path_(std::move(path)), configure_(std::move(configure)) {}

StatusOr<ReaderPool::Lease> ReaderPool::Acquire() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      std::unique_ptr<SqliteDb> db = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(db));
    }
  }
  ASSIGN_OR_RETURN(std::unique_ptr<SqliteDb> db, SqliteDb::Open(path_, /*read_only=*/false));
  if (configure_) RETURN_IF_ERROR(configure_(*db));
  return Lease(this, std::move(db));
}

ReaderPool::Lease::~Lease() {
  if (!db_) return;
  std::lock_guard lock(pool_->mu_);
  pool_->idle_.push_back(std::move(db_));
}

}  // namespace lamina::store
