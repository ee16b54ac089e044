// The durable queue of asynchronous invocations: every event Lamina has acknowledged (202) and
// not yet finished with, in `<data-dir>/events.db` (SQLite, WAL, synchronous=FULL).
//
// Writes are group-committed (store/group_commit.h): whatever was asked for while the previous
// commit was syncing goes into the next transaction, so one fsync acknowledges many events and
// the accept rate is not bounded by the disk's sync latency. A write's `done` runs on the writer
// thread once the commit is durable (or failed); it must not block. An event stays in the queue
// until Finish removes it, so after a crash every event not finished runs again (at least once).
// All methods are thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/group_commit.h"
#include "store/sqlite_db.h"

namespace lamina::invoke {

struct QueuedEvent {
  int64_t id = 0;  // assigned by Append
  std::string function;
  std::string qualifier;  // as invoked: "" ($LATEST), a version or an alias
  std::string request_id;
  std::string payload;  // may be left empty in memory; Payload(id) reads it back
  int64_t received_ms = 0;
  int attempts = 0;  // function errors so far
  int64_t next_attempt_ms = 0;
  std::string trace_header;  // X-Amzn-Trace-Id with the chain's Lineage (lambda/lineage.h)
  // What the event is: "" for an Invoke; "destination" for an invocation record sent to a
  // destination function.
  std::string origin;
};

class EventQueue {
 public:
  static StatusOr<std::unique_ptr<EventQueue>> Open(const std::string& path);
  // Commits what is pending, then stops the writer.
  ~EventQueue();

  using Done = std::function<void(Status)>;
  // Gets the events a write stored back, with their ids (moved, not copied).
  using Stored = std::function<void(StatusOr<std::vector<QueuedEvent>>)>;
  // Stores `events` (assigning their ids) durably.
  void Append(std::vector<QueuedEvent> events, Stored done);
  // Removes event `id` and, in the same transaction, stores `follow_ups` (destination records).
  void Finish(int64_t id, std::vector<QueuedEvent> follow_ups, Stored done);
  // Records another attempt's outcome: `attempts` and when the next one is due.
  void Reschedule(int64_t id, int attempts, int64_t next_attempt_ms, Done done);

  // Every queued event in id order, without payloads (start-up reads them all).
  StatusOr<std::vector<QueuedEvent>> LoadAll();
  StatusOr<std::string> Payload(int64_t id);
  // How many events are queued (for tests and the operator).
  StatusOr<int64_t> Count();

 private:
  EventQueue(std::unique_ptr<store::SqliteDb> writer, std::unique_ptr<store::SqliteDb> reader);
  // Stores `events` (assigning their ids) after `before` ran in the same transaction.
  void Store(std::vector<QueuedEvent> events, std::function<Status(store::SqliteDb&)> before,
             Stored done);

  store::GroupCommit writer_;
  std::mutex reader_mu_;
  std::unique_ptr<store::SqliteDb> reader_db_;  // guarded by reader_mu_
};

}  // namespace lamina::invoke
