// GroupCommit: writes from many threads share transactions, a failing write is rolled back alone,
// Run waits for the commit, and what is pending when it is destroyed is committed.
#include "store/group_commit.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <future>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "scoped_temp_dir.h"
#include "store/sqlite_db.h"

namespace lamina::store {
namespace {

using test_util::ScopedTempDir;

std::unique_ptr<SqliteDb> OpenDb(const std::string& path) {
  auto db = SqliteDb::Open(path, /*read_only=*/false);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  if (!db.ok()) return nullptr;
  Status s = (*db)->Exec(
      "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=10000; "
      "CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, value TEXT NOT NULL);");
  EXPECT_TRUE(s.ok()) << s.ToString();
  return std::move(db).value();
}

// A write that inserts row `id`.
GroupCommit::Apply Insert(int64_t id) {
  return [id](SqliteDb& db) -> Status {
    auto st = db.Prepare("INSERT INTO rows (id, value) VALUES (?, ?)");
    if (!st.ok()) return st.status();
    st->Bind(1, id).BindText(2, "row " + std::to_string(id));
    return st->Run();
  };
}

// The ids of the rows, read by a write of `writer`'s own (after everything submitted before it).
std::set<int64_t> Rows(GroupCommit& writer) {
  std::set<int64_t> ids;
  Status s = writer.Run([&ids](SqliteDb& db) -> Status {
    auto st = db.Prepare("SELECT id FROM rows ORDER BY id");
    if (!st.ok()) return st.status();
    for (;;) {
      auto row = st->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      ids.insert(st->Int(0));
    }
    return Status::Ok();
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return ids;
}

// The ids of the rows, read on a connection of its own.
std::set<int64_t> RowsOnDisk(const std::string& path) {
  std::set<int64_t> ids;
  auto db = SqliteDb::Open(path, /*read_only=*/false);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  if (!db.ok()) return ids;
  auto st = (*db)->Prepare("SELECT id FROM rows ORDER BY id");
  EXPECT_TRUE(st.ok()) << st.status().ToString();
  if (!st.ok()) return ids;
  for (;;) {
    auto row = st->Step();
    EXPECT_TRUE(row.ok()) << row.status().ToString();
    if (!row.ok() || !*row) break;
    ids.insert(st->Int(0));
  }
  return ids;
}

// Counts `done` callbacks and lets a test wait for a number of them.
class DoneCounter {
 public:
  GroupCommit::Done Callback() {
    return [this](Status s) {
      std::lock_guard lock(mu_);
      if (s.ok()) {
        ++ok_;
      } else {
        errors_.push_back(s.ToString());
      }
      changed_.notify_all();
    };
  }
  // True when `n` callbacks ran within the timeout.
  bool WaitFor(int n) {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, std::chrono::seconds(60),
                             [&] { return ok_ + static_cast<int>(errors_.size()) >= n; });
  }
  int ok() {
    std::lock_guard lock(mu_);
    return ok_;
  }
  std::vector<std::string> errors() {
    std::lock_guard lock(mu_);
    return errors_;
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  int ok_ = 0;
  std::vector<std::string> errors_;
};

TEST(GroupCommit, ConcurrentWritesAllCommit) {
  ScopedTempDir dir;
  DoneCounter counter;  // outlives the writer, which calls it
  auto db = OpenDb(dir.Join("t.db"));
  ASSERT_NE(db, nullptr);
  GroupCommit writer(std::move(db));

  constexpr int kThreads = 8;
  constexpr int kEach = 100;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) writer.Submit(Insert(t * kEach + i), counter.Callback());
    });
  }
  for (std::thread& t : threads) t.join();
  ASSERT_TRUE(counter.WaitFor(kThreads * kEach));
  EXPECT_EQ(counter.ok(), kThreads * kEach);
  EXPECT_TRUE(counter.errors().empty()) << counter.errors().front();

  std::set<int64_t> rows = Rows(writer);
  ASSERT_EQ(rows.size(), static_cast<size_t>(kThreads * kEach));
  EXPECT_EQ(*rows.begin(), 0);
  EXPECT_EQ(*rows.rbegin(), kThreads * kEach - 1);
}

TEST(GroupCommit, ConcurrentRunsAllReturnOk) {
  ScopedTempDir dir;
  auto db = OpenDb(dir.Join("t.db"));
  ASSERT_NE(db, nullptr);
  GroupCommit writer(std::move(db));

  constexpr int kThreads = 8;
  constexpr int kEach = 50;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        if (!writer.Run(Insert(t * kEach + i)).ok()) ++failures;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(Rows(writer).size(), static_cast<size_t>(kThreads * kEach));
}

TEST(GroupCommit, AFailingWriteIsRolledBackAloneInItsBatch) {
  ScopedTempDir dir;
  DoneCounter counter;
  std::promise<Status> failed;
  std::future<Status> failed_status = failed.get_future();
  auto db = OpenDb(dir.Join("t.db"));
  ASSERT_NE(db, nullptr);
  GroupCommit writer(std::move(db));

  // Hold the writer thread inside a first write, so that the next ones pile up into one batch.
  std::promise<void> started;
  std::future<void> has_started = started.get_future();
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  writer.Submit(
      [&started, released](SqliteDb& db) -> Status {
        started.set_value();
        released.wait();
        return Insert(0)(db);
      },
      counter.Callback());
  has_started.wait();

  writer.Submit(Insert(1), counter.Callback());
  writer.Submit(
      [](SqliteDb& db) -> Status {
        // Writes a row, then finds a condition that does not hold.
        Status inserted = Insert(2)(db);
        if (!inserted.ok()) return inserted;
        return Status(Code::kNotFound, "The specified bucket does not exist", "NoSuchBucket");
      },
      [&failed](Status s) { failed.set_value(std::move(s)); });
  writer.Submit(Insert(3), counter.Callback());
  release.set_value();

  Status s = failed_status.get();
  EXPECT_EQ(s.code(), Code::kNotFound) << s.ToString();
  EXPECT_EQ(s.aws_type(), "NoSuchBucket");
  EXPECT_EQ(s.message(), "The specified bucket does not exist");
  ASSERT_TRUE(counter.WaitFor(3));
  EXPECT_EQ(counter.ok(), 3);

  EXPECT_EQ(Rows(writer), (std::set<int64_t>{0, 1, 3}));
}

TEST(GroupCommit, AWriteThatFailsOnTheDatabaseDoesNotSpoilTheOthers) {
  ScopedTempDir dir;
  DoneCounter counter;
  auto db = OpenDb(dir.Join("t.db"));
  ASSERT_NE(db, nullptr);
  GroupCommit writer(std::move(db));
  ASSERT_TRUE(writer.Run(Insert(1)).ok());

  std::promise<void> started;
  std::future<void> has_started = started.get_future();
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  writer.Submit(
      [&started, released](SqliteDb&) -> Status {
        started.set_value();
        released.wait();
        return Status::Ok();
      },
      counter.Callback());
  has_started.wait();
  writer.Submit(Insert(2), counter.Callback());
  writer.Submit(Insert(1), counter.Callback());  // a duplicate primary key
  writer.Submit(Insert(3), counter.Callback());
  release.set_value();

  ASSERT_TRUE(counter.WaitFor(4));
  EXPECT_EQ(counter.ok(), 3);
  EXPECT_EQ(counter.errors().size(), 1u);
  EXPECT_EQ(Rows(writer), (std::set<int64_t>{1, 2, 3}));
}

TEST(GroupCommit, RunWaitsForTheCommitAndReturnsTheWritesStatus) {
  ScopedTempDir dir;
  std::string path = dir.Join("t.db");
  auto db = OpenDb(path);
  ASSERT_NE(db, nullptr);
  GroupCommit writer(std::move(db));

  Status s = writer.Run(Insert(7));
  ASSERT_TRUE(s.ok()) << s.ToString();
  // Committed: another connection sees it.
  EXPECT_EQ(RowsOnDisk(path), std::set<int64_t>{7});

  s = writer.Run([](SqliteDb& db) -> Status {
    Status inserted = Insert(8)(db);
    if (!inserted.ok()) return inserted;
    return lamina::InvalidArgument("no", "ValidationException");
  });
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.aws_type(), "ValidationException");
  EXPECT_EQ(RowsOnDisk(path), std::set<int64_t>{7});
}

TEST(GroupCommit, DestructionCommitsWhatIsPending) {
  ScopedTempDir dir;
  std::string path = dir.Join("t.db");
  DoneCounter counter;
  {
    auto db = OpenDb(path);
    ASSERT_NE(db, nullptr);
    GroupCommit writer(std::move(db));
    for (int i = 0; i < 20; ++i) writer.Submit(Insert(i), counter.Callback());
  }
  EXPECT_EQ(counter.ok(), 20);
  EXPECT_TRUE(counter.errors().empty());
  EXPECT_EQ(RowsOnDisk(path).size(), 20u);
}

}  // namespace
}  // namespace lamina::store
