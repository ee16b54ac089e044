#include "invoke/invoker.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

#include "common/crypto.h"
#include "common/time_format.h"

namespace lamina::invoke {
namespace {

constexpr size_t kTailBytes = 4096;

std::string Millis2(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", ms);
  return buf;
}

// AWS names runtime versions "<family>:<release>.v<n>" (python:3.12.v40, nodejs:20.v31,
// provided:al2023.v90) and their ARNs by 64 hex digits.
std::string RuntimeVersionLine(const std::string& runtime, const std::string& region) {
  size_t split = 0;
  while (split < runtime.size() && std::isalpha(static_cast<unsigned char>(runtime[split]))) {
    ++split;
  }
  std::string family = runtime.substr(0, split);
  std::string release = runtime.substr(split);
  if (!release.empty() && release.front() == '.') release.erase(0, 1);
  if (release.size() > 2 && release.compare(release.size() - 2, 2, ".x") == 0) {
    release.resize(release.size() - 2);
  }
  if (release.empty()) release = "al1";
  return "INIT_START Runtime Version: " + family + ":" + release +
         ".v1\tRuntime Version ARN: arn:aws:lambda:" + region +
         "::runtime:" + HexEncode(Sha256("lamina:" + runtime));
}

std::string InitReportLine(const scheduler::FailedInit& init) {
  std::string line = "INIT_REPORT Init Duration: " + Millis2(init.duration_ms) +
                     " ms\tPhase: init\tStatus: " + init.status;
  if (!init.error_type.empty()) line += "\tError Type: " + init.error_type;
  return line;
}

// The last kTailBytes of the log text (lines joined by newlines), built from the end so a
// function that printed megabytes costs no more than one that printed a line.
std::string Tail(const std::vector<scheduler::LogLine>& lines) {
  size_t first = lines.size(), size = 0;
  while (first > 0 && size < kTailBytes) size += lines[--first].message.size() + 1;
  std::string text;
  text.reserve(size);
  for (size_t i = first; i < lines.size(); ++i) text += lines[i].message + "\n";
  return text.size() > kTailBytes ? text.substr(text.size() - kTailBytes) : text;
}

}  // namespace

std::string ReportLine(const std::string& request_id, const scheduler::InvocationResult& r,
                       int64_t memory_mb) {
  // Billed in 1 ms steps, never past the timeout; since August 2025 AWS bills the init phase too.
  double billed_ms = std::ceil(r.duration_ms);
  if (r.timeout_ms > 0) billed_ms = std::min(billed_ms, static_cast<double>(r.timeout_ms));
  auto billed = static_cast<int64_t>(std::ceil(billed_ms + r.init_duration_ms));
  std::string line = "REPORT RequestId: " + request_id + "\tDuration: " + Millis2(r.duration_ms) +
                     " ms\tBilled Duration: " + std::to_string(billed) +
                     " ms\tMemory Size: " + std::to_string(memory_mb) +
                     " MB\tMax Memory Used: " + std::to_string(r.max_memory_mb) + " MB\t";
  if (r.init_duration_ms > 0) line += "Init Duration: " + Millis2(r.init_duration_ms) + " ms\t";
  if (r.timed_out) {
    line += "Status: timeout\t";
  } else if (r.environment_failed) {
    line += "Status: error\tError Type: " + r.error_type + "\t";
  }
  return line;
}

void Invoker::Invoke(scheduler::FunctionSpec spec, scheduler::InvocationRequest request,
                     std::function<void(InvokeOutcome)> done) {
  std::string id = request.request_id;
  int64_t memory_mb = spec.memory_mb;
  std::string group = spec.log_group;
  std::string runtime = spec.runtime, region = spec.region;
  std::string version = spec.version;
  double timeout_s = spec.timeout_s;
  scheduler_->Invoke(
      std::move(spec), std::move(request),
      [this, id, memory_mb, group, runtime, region, version, timeout_s,
       done = std::move(done)](scheduler::InvocationResult result) {
        if (result.kind == scheduler::InvocationResult::Kind::kThrottled) {
          return done(InvokeOutcome{std::move(result), ""});  // it never ran: no log
        }
        int64_t start = result.start_ms ? result.start_ms : NowMillis();
        int64_t end = NowMillis();
        std::vector<scheduler::LogLine> lines;
        lines.reserve(result.init_logs.size() + result.logs.size() + 8);
        auto append = [&lines](std::vector<scheduler::LogLine>& from) {
          for (auto& l : from) lines.push_back(std::move(l));
          from.clear();
        };
        // INIT_START lines, for cold starts only (the line costs a SHA-256).
        std::string init_line;
        if (result.cold_start || !result.failed_inits.empty()) {
          init_line = RuntimeVersionLine(runtime, region);
        }
        // Each init phase that failed first: INIT_START, its output, INIT_REPORT.
        for (auto& init : result.failed_inits) {
          lines.push_back({init.start_ms, init_line});
          append(init.logs);
          lines.push_back(
              {init.start_ms + static_cast<int64_t>(init.duration_ms), InitReportLine(init)});
        }
        if (result.cold_start) {
          lines.push_back({result.init_start_ms ? result.init_start_ms : start, init_line});
          append(result.init_logs);
        }
        lines.push_back({start, "START RequestId: " + id + " Version: " + version});
        append(result.init_logs);  // a warm environment has none; kept should one appear
        append(result.logs);
        if (result.timed_out) {
          lines.push_back({end, FormatIso8601Millis(end) + " " + id + " Task timed out after " +
                                    Millis2(timeout_s) + " seconds"});
        }
        lines.push_back({end, "END RequestId: " + id});
        lines.push_back({end, ReportLine(id, result, memory_mb)});

        InvokeOutcome outcome;
        outcome.log_tail = Tail(lines);
        if (logs_ && !group.empty()) logs_->Append(group, result.log_stream, std::move(lines));
        outcome.result = std::move(result);
        done(std::move(outcome));
      });
}

}  // namespace lamina::invoke
