// `lamina serve`: wires the store, credentials, services, edge and HTTP server together, serves
// until SIGINT/SIGTERM, then shuts down gracefully (stop accepting, finish in-flight requests,
// close the store). The only place that names concrete implementations.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lamina::server {

struct DaemonOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 4566;
  std::string data_dir;
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
  bool auth_enabled = true;
  int64_t keep_alive_ms = 10 * 60 * 1000;   // idle environments are reaped after this
  int spare_sandboxes = 2;                  // blank sandboxes kept ready for cold starts
  int concurrency_limit = 1000;             // the account's concurrent executions
  int scale_per_10s = 1000;                 // new environments per function per 10 s
  int64_t memory_budget_mb = 0;             // for all environments; 0: three quarters of RAM
  int64_t credentials_ttl_s = 6 * 3600;     // of each environment's execution-role credentials
  std::string outbound_network = "tagged";  // none, tagged (lamina:outbound-network=true) or all
  // Asynchronous invocation: the waits before the 2nd and 3rd attempt after a function error
  // (AWS: 1 and 2 minutes), and the longest back-off after throttles (AWS: 5 minutes).
  std::vector<int64_t> async_retry_delays_ms = {60'000, 120'000};
  int64_t async_backoff_max_ms = 300'000;
};

// Returns the process exit code.
int RunDaemon(const DaemonOptions& options);

}  // namespace lamina::server
