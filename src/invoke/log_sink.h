// Where invocation logs go: a log group and stream, CloudWatch-Logs style.
#pragma once

#include <string>
#include <vector>

#include "scheduler/function_spec.h"

namespace lamina::invoke {

class LogSink {
 public:
  virtual ~LogSink() = default;
  // Appends lines, in order, creating the group and stream as needed. Thread-safe; must not
  // block for long (it runs after every invocation).
  virtual void Append(const std::string& group, const std::string& stream,
                      std::vector<scheduler::LogLine> lines) = 0;

  struct Batch {
    std::string group;
    std::string stream;
    std::vector<scheduler::LogLine> lines;
  };
  // Several appends at once; a sink that can write them together (one transaction) should.
  virtual void AppendBatch(const std::vector<Batch>& batches) {
    for (const Batch& b : batches) Append(b.group, b.stream, b.lines);
  }
};

}  // namespace lamina::invoke
