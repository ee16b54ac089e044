// What an execution environment is built from, and what one invocation asks and gets.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace lamina::scheduler {

// One version of a function as environments run it. Environments are reused only for the same
// function and revision: a code or configuration change means new environments.
struct FunctionSpec {
  std::string name;
  std::string arn;  // unqualified
  std::string version = "$LATEST";
  std::string revision_id;
  std::string runtime;
  std::string handler;
  int64_t memory_mb = 128;
  int64_t tmp_mb = 512;
  int timeout_s = 3;
  std::vector<std::pair<std::string, std::string>> environment;  // the function's own variables
  std::string code_dir;  // unpacked code, bound at /var/task
  std::string log_group;
  std::string role_arn;
  std::string region;
};

struct InvocationRequest {
  std::string request_id;
  std::string payload;
  std::string invoked_arn;
  std::string client_context;  // decoded JSON, or empty
  std::string identity;        // JSON, or empty
  std::string trace_id;
};

struct LogLine {
  int64_t timestamp_ms;
  std::string message;
};

struct InvocationResult {
  // kPlatformError: Lamina could not run the function (the caller gets a ServiceException).
  enum class Kind { kSuccess, kFunctionError, kPlatformError };
  Kind kind = Kind::kSuccess;
  std::string payload;        // the response, or the error object
  std::string error_type;     // for kFunctionError, e.g. "Unhandled", "Sandbox.Timedout"
  std::vector<LogLine> logs;  // the function's lines, in order, without platform lines
  std::string log_stream;
  double duration_ms = 0;
  double init_duration_ms = 0;  // > 0 on a cold start
  int64_t max_memory_mb = 0;
  int64_t start_ms = 0;  // wall clock at START
  bool timed_out = false;
};

}  // namespace lamina::scheduler
