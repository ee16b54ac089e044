// The LogStore in its own SQLite database file (the daemon uses <data_dir>/logs.db), apart from
// the control-plane store so that log volume never slows or bloats function records.
//
// Durability: WAL mode with synchronous=NORMAL. A commit is in the WAL (the OS page cache) before
// Append returns, so every acknowledged append survives kill -9 of the daemon; only an OS crash
// or power loss can lose the last appends before the next checkpoint. That trade is deliberate:
// FULL would fsync after every invocation's log write (milliseconds each), while with NORMAL an
// append of five events takes about 0.1 ms (LogsStoreTest.AppendOfFiveEventsIsWellUnderA-
// Millisecond prints the figures). Logs are diagnostics, not records.
//
// Concurrency: one writer connection and one reader connection, each behind its own mutex. WAL
// lets the reader work on a consistent snapshot while the writer commits, so a slow
// FilterLogEvents never holds up the appends of the invoke path.
//
// Pruning (see LogStore for what it removes): every `prune_every_appends` appends, and every
// `prune_interval_ms` on a background thread. With a background thread, the append that reaches
// the count only wakes that thread; without one (`prune_interval_ms` = 0) that append prunes
// before it returns. A prune deletes in small transactions, so appends interleave with it.
// Disk use: the cap counts the events' sizes, not the file's. Indexes and page overhead make the
// file larger, and it does not shrink when events are pruned: SQLite reuses the freed pages for
// new events, so the file levels off near its high-water mark.
//
// Checkpoints: SQLite's automatic ones, on the writer's connection in the commit that takes the
// WAL past kCheckpointFrames frames. That commit pays for the copy and its fsync (a few
// milliseconds now and then); the invoke path never waits for it, because invocations' logs are
// appended on the AsyncLogSink's thread. A checkpoint on another connection would not stall the
// writer, but under a steady stream of appends it never catches up with the WAL's end, and the
// WAL can only start over from its beginning once a checkpoint has: the file grew without bound.
// After each start-over, the WAL file is truncated to kWalSizeLimit.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "services/logs/log_store.h"
#include "store/sqlite_db.h"

namespace lamina::services::logs {

using store::BindPrefixRange;
using store::SqliteDb;
using store::Statement;
using store::Transaction;

// WAL frames (pages) that make a commit checkpoint: SQLite's own default.
inline constexpr int kCheckpointFrames = 1000;
// What a WAL file is truncated to after a checkpoint let it start over.
inline constexpr int64_t kWalSizeLimit = 16 << 20;

struct SqliteLogStoreOptions {
  int64_t max_total_bytes = int64_t{1} << 30;  // 1 GiB, in the sizes LogStore describes
  std::optional<int> default_retention_days;   // for groups the store creates; none: forever
  int prune_every_appends = 1000;
  int64_t prune_interval_ms = 60'000;  // 0: no background thread
};

class SqliteLogStore final : public LogStore {
 public:
  // Opens (creating if needed) the database at `path`. `clock` must outlive the store.
  static StatusOr<std::unique_ptr<SqliteLogStore>> Open(const std::string& path,
                                                        SqliteLogStoreOptions options,
                                                        const Clock* clock);
  // Stops the prune thread and closes the database.
  ~SqliteLogStore() override;

  Status AppendBatch(const std::vector<LogAppend>& appends) override;
  Status Append(const std::string& group, const std::string& stream,
                const std::vector<LogEvent>& events) override;
  StatusOr<int64_t> Put(const std::string& group, const std::string& stream,
                        const std::vector<LogEvent>& events) override;

  Status CreateGroup(const std::string& name) override;
  Status DeleteGroup(const std::string& name) override;
  StatusOr<std::optional<LogGroupInfo>> GetGroup(const std::string& name) override;
  StatusOr<std::vector<LogGroupInfo>> ListGroups(const GroupListQuery& query) override;
  Status SetRetention(const std::string& group, std::optional<int> days) override;

  Status CreateStream(const std::string& group, const std::string& stream) override;
  Status DeleteStream(const std::string& group, const std::string& stream) override;
  StatusOr<std::vector<LogStreamInfo>> ListStreams(const std::string& group,
                                                   const StreamListQuery& query) override;

  StatusOr<std::vector<StoredEvent>> ReadStream(const std::string& group, const std::string& stream,
                                                const StreamRead& read) override;
  StatusOr<ScanPage> ScanGroup(const std::string& group, const GroupScan& scan) override;

  Status Prune() override;

  // The total size of every stored event, as the cap counts it.
  int64_t total_bytes();

 private:
  SqliteLogStore(SqliteLogStoreOptions options, const Clock* clock)
      : options_(options), clock_(clock) {}

  // Writer side; the caller holds write_mu_.
  StatusOr<std::optional<int64_t>> FindGroupLocked(const std::string& name);
  StatusOr<int64_t> CreateGroupLocked(const std::string& name);
  StatusOr<std::optional<int64_t>> FindStreamLocked(int64_t group_id, const std::string& name);
  StatusOr<int64_t> CreateStreamLocked(int64_t group_id, const std::string& name);
  // Appends within an open transaction; returns the id of the last event.
  StatusOr<int64_t> InsertEventsLocked(int64_t group_id, int64_t stream_id,
                                       const std::vector<LogEvent>& events, int64_t* bytes);
  // One stream's write inside the caller's transaction (write_mu_ held); `bytes` gets the size
  // added. Returns the stream's sequence number afterwards.
  StatusOr<int64_t> WriteLocked(const std::string& group, const std::string& stream,
                                const std::vector<LogEvent>& events, bool create, int64_t* bytes);
  StatusOr<int64_t> Write(const std::string& group, const std::string& stream,
                          const std::vector<LogEvent>& events, bool create);
  // Counts an append towards the next prune and starts one when due.
  void NotePruneProgress();

  // Reader side; the caller holds read_mu_.
  StatusOr<std::optional<int64_t>> ReadGroupIdLocked(const std::string& name);
  StatusOr<int64_t> ReadStreamIdLocked(const std::string& group, const std::string& stream);

  // Pruning (sqlite_log_prune.cc). Each step is one short transaction under write_mu_ and
  // returns the number of events it deleted.
  StatusOr<int64_t> PruneExpiredStep(int64_t group_id, int64_t cutoff);
  StatusOr<int64_t> PruneOldestStep();
  // Runs `delete_returning` (a DELETE ... RETURNING group_id, stream_id, length(message)) and
  // takes what it deleted off the streams' and groups' sizes; commits `txn`, then the total.
  StatusOr<int64_t> DeleteAndAccountLocked(Statement& delete_returning, Transaction& txn);
  void PruneLoop();

  const SqliteLogStoreOptions options_;
  const Clock* clock_;

  std::mutex write_mu_;
  std::unique_ptr<SqliteDb> writer_;  // guarded by write_mu_
  int64_t total_bytes_ = 0;           // guarded by write_mu_
  int appends_since_prune_ = 0;       // guarded by write_mu_

  std::mutex read_mu_;
  std::unique_ptr<SqliteDb> reader_;  // guarded by read_mu_

  std::mutex prune_mu_;  // serializes whole prunes; taken before write_mu_, never after
  std::mutex wake_mu_;
  std::condition_variable wake_;
  bool prune_requested_ = false;  // guarded by wake_mu_
  bool stopping_ = false;         // guarded by wake_mu_
  std::thread pruner_;
};

}  // namespace lamina::services::logs
