// A LogSink that hands lines to another sink on its own thread, so writing an invocation's log
// never delays the invocation's answer. What queued up meanwhile is written as one batch. Lines are
// written in the order they were appended. Destruction writes everything still queued, then
// returns. If the daemon is killed in the few milliseconds between an answer and its log write,
// those log lines are lost (the caller already had them, with X-Amz-Log-Type: Tail).
#pragma once

#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "invoke/log_sink.h"

namespace lamina::invoke {

class AsyncLogSink final : public LogSink {
 public:
  explicit AsyncLogSink(LogSink* target);
  ~AsyncLogSink() override;

  void Append(const std::string& group, const std::string& stream,
              std::vector<scheduler::LogLine> lines) override;

 private:
  void Run();

  LogSink* target_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::vector<Batch> queue_;  // guarded by mu_
  bool stopping_ = false;     // guarded by mu_
  std::thread thread_;
};

}  // namespace lamina::invoke
