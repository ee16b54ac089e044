// The HTTP/1.1 server every Lamina service listens behind.
//
// It serves on the daemon's event loop (an io_context run by one thread), which it shares with
// the scheduler; requests are handed to a Handler, which answers through a Responder from any
// thread. Shutdown is graceful: Stop() closes the listener and idle keep-alive connections, lets
// in-flight requests finish and be answered, then tells its caller.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "http/message.h"

namespace boost::asio {
class io_context;
}

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
  // `io` and `handler` must outlive the server.
  Server(boost::asio::io_context& io, ServerOptions options, Handler* handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens. After success, port() is the bound port.
  Status Listen();
  uint16_t port() const;
  // Accepts connections on the loop, from when the loop runs. Call once, after Listen.
  void Start();
  // Serves `socket`, a TCP connection accepted elsewhere (an execution environment's AWS
  // endpoint), like one of its own; its requests carry `relayed_from`. `hold` is kept for as long
  // as the connection is open (its owner counts its connections by it). Closed at once when the
  // server is stopping. Thread-safe.
  void Adopt(int socket, std::string relayed_from, std::shared_ptr<void> hold);
  // Stops accepting and closes idle connections; once every in-flight request has been answered
  // and its connection closed, runs `stopped` on the loop. Thread-safe; later calls are ignored.
  void Stop(std::function<void()> stopped);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lamina::http
