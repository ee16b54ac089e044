#include "invoke/invoker.h"

#include <cmath>
#include <cstdio>

#include "common/time_format.h"

namespace lamina::invoke {
namespace {

constexpr size_t kTailBytes = 4096;

std::string Millis2(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", ms);
  return buf;
}

std::string RuntimeVersionLine(const scheduler::FunctionSpec& spec) {
  return "INIT_START Runtime Version: " + spec.runtime +
         ".lamina\tRuntime Version ARN: arn:aws:lambda:" + spec.region + "::runtime:lamina-" +
         spec.runtime;
}

}  // namespace

std::string ReportLine(const std::string& request_id, const scheduler::InvocationResult& r,
                       int64_t memory_mb) {
  // Billed in 1 ms steps; since August 2025 AWS bills the init phase too.
  auto billed = static_cast<int64_t>(std::ceil(r.duration_ms + r.init_duration_ms));
  std::string line = "REPORT RequestId: " + request_id + "\tDuration: " + Millis2(r.duration_ms) +
                     " ms\tBilled Duration: " + std::to_string(billed) +
                     " ms\tMemory Size: " + std::to_string(memory_mb) +
                     " MB\tMax Memory Used: " + std::to_string(r.max_memory_mb) + " MB\t";
  if (r.init_duration_ms > 0) line += "Init Duration: " + Millis2(r.init_duration_ms) + " ms\t";
  return line;
}

void Invoker::Invoke(scheduler::FunctionSpec spec, scheduler::InvocationRequest request,
                     std::function<void(InvokeOutcome)> done) {
  std::string id = request.request_id;
  int64_t memory_mb = spec.memory_mb;
  std::string group = spec.log_group;
  std::string init_line = RuntimeVersionLine(spec);
  std::string version = spec.version;
  double timeout_s = spec.timeout_s;
  scheduler_->Invoke(
      std::move(spec), std::move(request),
      [this, id, memory_mb, group, init_line, version, timeout_s,
       done = std::move(done)](scheduler::InvocationResult result) {
        int64_t start = result.start_ms ? result.start_ms : NowMillis();
        int64_t end = NowMillis();
        std::vector<scheduler::LogLine> lines;
        lines.reserve(result.logs.size() + 5);
        if (result.init_duration_ms > 0) {
          lines.push_back({start - static_cast<int64_t>(result.init_duration_ms), init_line});
        }
        lines.push_back({start, "START RequestId: " + id + " Version: " + version});
        for (auto& l : result.logs) lines.push_back(std::move(l));
        result.logs.clear();
        if (result.timed_out) {
          lines.push_back({end, FormatIso8601Millis(end) + " " + id + " Task timed out after " +
                                    Millis2(timeout_s) + " seconds"});
        }
        lines.push_back({end, "END RequestId: " + id});
        lines.push_back({end, ReportLine(id, result, memory_mb)});

        InvokeOutcome outcome;
        std::string text;
        for (const auto& l : lines) text += l.message + "\n";
        outcome.log_tail = text.size() > kTailBytes ? text.substr(text.size() - kTailBytes) : text;
        if (logs_ && !group.empty()) logs_->Append(group, result.log_stream, lines);
        outcome.result = std::move(result);
        done(std::move(outcome));
      });
}

}  // namespace lamina::invoke
