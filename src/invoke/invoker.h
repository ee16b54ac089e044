// Synchronous invocation around the scheduler: the platform's log lines (INIT_START, INIT_REPORT
// for an init that failed, START, "Task timed out", END, REPORT with Duration, Billed Duration,
// Memory Size, Max Memory Used, Init Duration and, when the environment failed, Status and Error
// Type), the log written to the function's log group, and the tail AWS returns for
// `X-Amz-Log-Type: Tail`.
#pragma once

#include <functional>
#include <string>

#include "invoke/log_sink.h"
#include "scheduler/function_spec.h"
#include "scheduler/scheduler.h"

namespace lamina::invoke {

struct InvokeOutcome {
  scheduler::InvocationResult result;
  std::string log_tail;  // the last 4 KB of this invocation's log text
};

class Invoker {
 public:
  // Both must outlive the invoker; `logs` may be null.
  Invoker(scheduler::Scheduler* scheduler, LogSink* logs) : scheduler_(scheduler), logs_(logs) {}

  // `done` runs on the event loop and must not block.
  void Invoke(scheduler::FunctionSpec spec, scheduler::InvocationRequest request,
              std::function<void(InvokeOutcome)> done);

  scheduler::Scheduler* scheduler() const { return scheduler_; }

 private:
  scheduler::Scheduler* scheduler_;
  LogSink* logs_;
};

// The REPORT line AWS writes after every invocation.
std::string ReportLine(const std::string& request_id, const scheduler::InvocationResult& result,
                       int64_t memory_mb);

}  // namespace lamina::invoke
