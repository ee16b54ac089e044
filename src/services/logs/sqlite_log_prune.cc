// Retention and the size cap of the SQLite log store.
//
// Why in small steps: a prune may have gigabytes to delete, and the invoke path appends after
// every invocation. Each step deletes at most kChunk events in its own transaction and releases
// the writer lock, so an append waits for one step at most, never for a whole prune.
#include <chrono>
#include <map>
#include <string>
#include <utility>

#include "common/log.h"
#include "services/logs/sqlite_log_store.h"

namespace lamina::services::logs {
namespace {

constexpr int64_t kChunk = 2000;
constexpr int64_t kMillisPerDay = 86'400'000;

}  // namespace

Status SqliteLogStore::Prune() {
  std::lock_guard prune_lock(prune_mu_);
  const int64_t now = clock_->NowMillis();
  std::vector<std::pair<int64_t, int64_t>> retained;  // group id, retention days
  {
    std::lock_guard lock(write_mu_);
    ASSIGN_OR_RETURN(Statement st, writer_->Prepare("SELECT id, retention_days FROM log_groups "
                                                    "WHERE retention_days IS NOT NULL"));
    for (;;) {
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      retained.emplace_back(st.Int(0), st.Int(1));
    }
  }
  // Retention first: expired events go whatever the cap, and deleting them may be all the cap
  // needs.
  for (const auto& [group_id, days] : retained) {
    const int64_t cutoff = now - days * kMillisPerDay;
    for (;;) {
      ASSIGN_OR_RETURN(int64_t deleted, PruneExpiredStep(group_id, cutoff));
      if (deleted < kChunk) break;
    }
  }
  for (;;) {
    ASSIGN_OR_RETURN(int64_t deleted, PruneOldestStep());
    if (deleted == 0) break;
  }
  return Status::Ok();
}

StatusOr<int64_t> SqliteLogStore::PruneExpiredStep(int64_t group_id, int64_t cutoff) {
  std::lock_guard lock(write_mu_);
  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*writer_));
  ASSIGN_OR_RETURN(Statement st,
                   writer_->Prepare("DELETE FROM log_events WHERE id IN (SELECT id FROM "
                                    "log_events WHERE group_id = ? AND timestamp < ? LIMIT ?) "
                                    "RETURNING group_id, stream_id, length(message)"));
  st.Bind(1, group_id).Bind(2, cutoff).Bind(3, kChunk);
  return DeleteAndAccountLocked(st, txn);
}

StatusOr<int64_t> SqliteLogStore::PruneOldestStep() {
  std::lock_guard lock(write_mu_);
  if (total_bytes_ <= options_.max_total_bytes) return 0;
  // Find the newest id among the oldest events that together free enough (or a chunk of them).
  const int64_t excess = total_bytes_ - options_.max_total_bytes;
  int64_t last_id = 0, freed = 0;
  {
    ASSIGN_OR_RETURN(Statement st, writer_->Prepare("SELECT id, length(message) FROM log_events "
                                                    "ORDER BY id LIMIT ?"));
    st.Bind(1, kChunk);
    while (freed < excess) {
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      last_id = st.Int(0);
      freed += st.Int(1) + kEventOverheadBytes;
    }
  }
  if (last_id == 0) {
    // The sizes say there is too much, yet there are no events: they drifted (a bug, or a
    // database edited by hand). Recount them from the events rather than loop.
    log::Warn("log store sizes disagree with its events; recounting",
              {{"total_bytes", std::to_string(total_bytes_)}});
    ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*writer_));
    const std::string recount =
        "UPDATE log_streams SET stored_bytes = (SELECT COALESCE(SUM(length(message) + " +
        std::to_string(kEventOverheadBytes) +
        "), 0) FROM log_events WHERE stream_id = log_streams.id);"
        "UPDATE log_groups SET stored_bytes = (SELECT COALESCE(SUM(stored_bytes), 0) "
        "FROM log_streams WHERE group_id = log_groups.id);";
    RETURN_IF_ERROR(writer_->Exec(recount.c_str()));
    RETURN_IF_ERROR(txn.Commit());
    ASSIGN_OR_RETURN(Statement st,
                     writer_->Prepare("SELECT COALESCE(SUM(stored_bytes), 0) FROM log_groups"));
    ASSIGN_OR_RETURN(bool row, st.Step());
    total_bytes_ = row ? st.Int(0) : 0;
    return 0;
  }
  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*writer_));
  ASSIGN_OR_RETURN(Statement st, writer_->Prepare("DELETE FROM log_events WHERE id <= ? "
                                                  "RETURNING group_id, stream_id, "
                                                  "length(message)"));
  st.Bind(1, last_id);
  return DeleteAndAccountLocked(st, txn);
}

StatusOr<int64_t> SqliteLogStore::DeleteAndAccountLocked(Statement& delete_returning,
                                                         Transaction& txn) {
  std::map<int64_t, int64_t> group_bytes, stream_bytes;
  int64_t deleted = 0, bytes = 0;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, delete_returning.Step());
    if (!row) break;
    int64_t size = delete_returning.Int(2) + kEventOverheadBytes;
    group_bytes[delete_returning.Int(0)] += size;
    stream_bytes[delete_returning.Int(1)] += size;
    bytes += size;
    ++deleted;
  }
  if (deleted == 0) return 0;  // the transaction rolls back: nothing changed
  {
    ASSIGN_OR_RETURN(Statement st, writer_->Prepare("UPDATE log_streams SET stored_bytes = "
                                                    "stored_bytes - ? WHERE id = ?"));
    for (const auto& [id, size] : stream_bytes) {
      RETURN_IF_ERROR(st.Bind(1, size).Bind(2, id).Run());
    }
  }
  {
    ASSIGN_OR_RETURN(Statement st, writer_->Prepare("UPDATE log_groups SET stored_bytes = "
                                                    "stored_bytes - ? WHERE id = ?"));
    for (const auto& [id, size] : group_bytes) {
      RETURN_IF_ERROR(st.Bind(1, size).Bind(2, id).Run());
    }
  }
  RETURN_IF_ERROR(txn.Commit());
  total_bytes_ -= bytes;
  return deleted;
}

void SqliteLogStore::PruneLoop() {
  std::unique_lock lock(wake_mu_);
  while (!stopping_) {
    wake_.wait_for(lock, std::chrono::milliseconds(options_.prune_interval_ms),
                   [this] { return stopping_ || prune_requested_; });
    if (stopping_) break;
    prune_requested_ = false;
    lock.unlock();
    if (Status pruned = Prune(); !pruned.ok()) {
      log::Warn("log store prune failed", {{"error", pruned.ToString()}});
    }
    lock.lock();
  }
}

}  // namespace lamina::services::logs
