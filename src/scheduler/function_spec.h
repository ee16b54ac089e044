// What an execution environment is built from, and what one invocation asks and gets.
#pragma once

#include <cstdint>
#include <optional>
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
  std::string log_format;             // LoggingConfig.LogFormat: "Text" or "JSON"
  std::string application_log_level;  // LoggingConfig.ApplicationLogLevel (JSON format only)
  std::string role_arn;
  std::string region;
  bool wants_outbound_network = false;  // tagged lamina:outbound-network=true
  // AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand", or "provisioned-concurrency" for environments
  // initialised ahead (the scheduler sets it).
  std::string initialization_type = "on-demand";
  // The execution role's temporary credentials for one environment: the scheduler issues them as
  // it starts the environment. Empty (and 0) when environments get none.
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
  int64_t credentials_expire_ms = 0;
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

// How an init phase that did not complete ended, for the INIT_REPORT line AWS writes then.
struct FailedInit {
  int64_t start_ms = 0;  // wall clock when the environment was started
  double duration_ms = 0;
  std::string status;         // "timeout" or "error"
  std::string error_type;     // for "error", e.g. "Runtime.ImportModuleError"
  std::vector<LogLine> logs;  // what the runtime printed while initialising
};

struct InvocationResult {
  // kPlatformError: Lamina could not run the function (the caller gets a ServiceException).
  // kThrottled: no environment could be started (the scaling rate, the memory budget); `payload`
  // is AWS's Reason and `error_type` the message.
  enum class Kind { kSuccess, kFunctionError, kPlatformError, kThrottled };
  Kind kind = Kind::kSuccess;
  std::string payload;             // the response, or the error object
  std::string error_type;          // for kFunctionError, e.g. "Unhandled", "Sandbox.Timedout"
  std::vector<LogLine> init_logs;  // a cold start's init-phase lines (before START)
  std::vector<LogLine> logs;       // the function's lines, in order, without platform lines
  std::string log_stream;
  double duration_ms = 0;
  double init_duration_ms = 0;  // > 0 on a cold start whose init completed
  int64_t init_start_ms = 0;    // wall clock at INIT_START, on a cold start
  int64_t max_memory_mb = 0;
  int64_t start_ms = 0;     // wall clock at START
  int64_t timeout_ms = 0;   // the function's timeout (billing stops there)
  bool cold_start = false;  // a new environment was started for this invocation
  bool timed_out = false;
  // The environment died under the invocation (crash, OOM, failed init): REPORT says
  // "Status: error" with `error_type`.
  bool environment_failed = false;
  // Init phases that failed before this invocation ran (at most one: a timed-out init is retried
  // once, inside the invocation's own timeout, as AWS does).
  std::vector<FailedInit> failed_inits;
  // Scheduler-internal: the request must run again. Either its environment died before the
  // runtime took it (route it anew), or, with `retry_with_invoke_phase_init`, the init phase
  // timed out (run it in a new environment whose init counts against the invocation's timeout).
  std::optional<InvocationRequest> retry_request;
  bool retry_with_invoke_phase_init = false;
};

}  // namespace lamina::scheduler
