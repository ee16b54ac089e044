// lamina-init's unprivileged life: it serves the Lambda Runtime API (2018-06-01) on the
// sandbox's own 127.0.0.1:9001, hands every connection to the platform's AWS endpoint
// (127.0.0.1:9002, AWS_ENDPOINT_URL) to the daemon, starts the runtime's bootstrap, relays
// invocations and their results between the runtime and the daemon (framed messages on one socket),
// captures the runtime's stdout/stderr line by line, reaps every zombie (it is PID 1), and reports
// how the runtime ended. One event loop, one thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lamina::init {

struct InitOptions {
  std::vector<std::string> bootstrap;  // argv of the runtime's bootstrap
  int daemon_fd = 3;                   // the socketpair end the daemon gave us
  std::string address = "127.0.0.1";
  uint16_t port = 9001;
  uint16_t endpoint_port = 9002;  // 0: no AWS endpoint
};

// Runs until the runtime exits or the daemon goes away. Returns the process exit code.
int RunInitServer(const InitOptions& options);

}  // namespace lamina::init
