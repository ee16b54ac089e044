// A LogSink that hands lines to another sink on its own thread, so writing an invocation's log
// never delays the invocation's answer. Lines are written in the order they were appended.
//
// Group commit: once lines arrive, the thread lingers up to `linger` for more and writes all of
// them as one batch (one transaction in the log store), unless `max_lines` queue up first. One
// commit per invocation would cost the daemon more CPU than the invocation itself.
//
// Readers that must see what was appended (the CloudWatch Logs API, after an invocation
// returned) call Flush. Destruction writes everything still queued, then returns. If the daemon
// is killed, the lines of the last `linger` are lost (a caller that asked had them already, in
// X-Amz-Log-Result).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "invoke/log_sink.h"

namespace lamina::invoke {

struct AsyncLogSinkOptions {
  std::chrono::milliseconds linger{10};
  size_t max_lines = 4096;  // a batch this large is written without waiting out the linger
};

class AsyncLogSink final : public LogSink {
 public:
  explicit AsyncLogSink(LogSink* target, AsyncLogSinkOptions options = {});
  ~AsyncLogSink() override;

  void Append(const std::string& group, const std::string& stream,
              std::vector<scheduler::LogLine> lines) override;
  // Returns once everything appended before the call has been written to the target.
  void Flush();

 private:
  void Run();

  LogSink* target_;
  const AsyncLogSinkOptions options_;
  std::mutex mu_;
  std::condition_variable wake_;     // the writer: lines queued, a flush, or stopping
  std::condition_variable written_;  // flushers: a batch was written
  std::vector<Batch> queue_;         // guarded by mu_
  size_t queued_lines_ = 0;          // guarded by mu_
  uint64_t appended_ = 0;            // appends so far; guarded by mu_
  uint64_t written_count_ = 0;       // appends written so far; guarded by mu_
  int flushers_ = 0;                 // Flush calls waiting; guarded by mu_
  bool stopping_ = false;            // guarded by mu_
  std::thread thread_;
};

}  // namespace lamina::invoke
