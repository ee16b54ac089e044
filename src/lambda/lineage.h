// Recursive loop detection as AWS does it: an invocation's X-Ray trace header
// (X-Amzn-Trace-Id, _X_AMZN_TRACE_ID in the function, which the SDKs send on with every call)
// carries a Lineage field that counts how often each function has run in one chain of events.
// A function invoked more than kRecursionLimit times in one chain is in a loop.
#pragma once

#include <string>

namespace lamina::lambda {

inline constexpr int kRecursionLimit = 16;

struct TraceLineage {
  std::string header;  // the trace header the invocation runs with
  int count = 0;       // how often the function has run in this chain, this invocation included
};

// The trace header for an invocation of `function_arn` (unqualified) caused by a request that
// carried `incoming` (empty: a new chain): its Root and Parent kept (or made), and the function's
// Lineage count incremented.
TraceLineage NextLineage(const std::string& incoming, const std::string& function_arn,
                         int64_t now_ms);
// The count `header` holds for `function_arn` (0 when none).
int LineageCount(const std::string& header, const std::string& function_arn);

}  // namespace lamina::lambda
