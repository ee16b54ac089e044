// The HTTP/1.1 server every Lamina service listens behind.
//
// One event-loop thread owns every socket; requests are handed to a Handler, which answers
// through a Responder from any thread. Shutdown is graceful: Stop() closes the listener and idle
// keep-alive connections, lets in-flight requests finish and be answered, then Run() returns.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "http/message.h"

namespace lamina::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;                   // 0 picks a free port
  size_t max_body_bytes = 70'167'211;  // Lambda's CreateFunction request limit
  size_t max_header_bytes = 64 * 1024;
  int read_timeout_ms = 30'000;   // a request must arrive whole within this
  int idle_timeout_ms = 120'000;  // an idle keep-alive connection is closed after this
};

class Server {
 public:
  // `handler` must outlive the server.
  Server(ServerOptions options, Handler* handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens. After success, port() is the bound port.
  Status Listen();
  uint16_t port() const;
  // Serves until Stop() and every in-flight request has been answered. Call once.
  void Run();
  // Thread-safe; safe to call more than once.
  void Stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lamina::http
