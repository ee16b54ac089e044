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
                      const std::vector<scheduler::LogLine>& lines) = 0;
};

}  // namespace lamina::invoke
