// Asynchronous invocation: events accepted into the durable EventQueue are fed to the same
// invoker, scheduler and concurrency account as synchronous invokes.
//
// Per function, events run in arrival order, as many at once as the function's concurrency
// allows and its invocations need: about their duration divided by the dispatcher's own cost per
// event (a no-op function needs a handful of environments, one that sleeps a second hundreds),
// at most `max_in_flight_per_function`, and fewer after the scheduler could not start another
// environment (the memory budget), growing again one by one. Outcomes, as on AWS:
// - success: the event is removed, with an OnSuccess destination's record stored in its place;
// - a function error (error, timeout, crash): retried MaximumRetryAttempts times (default 2),
//   `retry_delays_ms` apart (AWS: 1 and 2 minutes), then RetriesExhausted;
// - a throttle or a platform error: the function's events wait, backing off exponentially from
//   1 s to `backoff_max_ms`, not counted as attempts;
// - older than MaximumEventAgeInSeconds (default 6 h) before it could run: EventAgeExceeded;
// - invoked more than 16 times in one chain (lineage.h) with RecursiveLoop=Terminate: dropped.
// A failed event's record goes to the OnFailure destination, and the event itself to the
// function's DeadLetterConfig target when that is a function (AWS's SQS and SNS targets are not
// Lamina's). Both are queued events of the function they name, stored in the transaction that
// removes the event, so none is lost either. Events of a deleted function (or version, or alias)
// are dropped.
//
// State lives on the daemon's event loop; Accept is thread-safe.
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "invoke/event_queue.h"

namespace lamina::lambda {

struct LambdaDeps;

struct AsyncOptions {
  std::string region;
  std::string account_id;
  // Before the 2nd and 3rd attempt after a function error.
  std::vector<int64_t> retry_delays_ms = {60'000, 120'000};
  int64_t backoff_max_ms = 300'000;
  int max_in_flight_per_function = 256;
  // Payloads of queued events kept in memory at most; the rest are read back when they run.
  int64_t payload_memory_bytes = 64 << 20;
};

class AsyncDispatcher {
 public:
  // `deps`, `queue` and `io` must outlive the dispatcher.
  AsyncDispatcher(LambdaDeps* deps, invoke::EventQueue* queue, boost::asio::io_context& io,
                  AsyncOptions options);
  ~AsyncDispatcher();

  // Takes up the events queued before a restart (each runs again: at least once) and starts
  // dispatching.
  Status Start();
  // Stores `events` durably (one commit) and schedules them; `done` (not on the loop) gets the
  // store's status: once it is OK the events will run.
  void Accept(std::vector<invoke::QueuedEvent> events, std::function<void(Status)> done);
  // Ends `function`'s back-off now (its concurrency changed): its events run if they can.
  void Wake(const std::string& function);
  // Stops starting invocations (shutdown); events stay queued.
  void Stop();

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace lamina::lambda
