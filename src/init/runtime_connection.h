// One connection from the runtime to the Runtime API: requests parsed with Beast's parser from a
// non-blocking socket, responses queued in order and written together when the server flushes.
// No I/O of its own beyond recv/send on its socket: the server's event loop decides when.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/fd.h"

namespace lamina::init {

using RuntimeRequest = boost::beast::http::request<boost::beast::http::string_body>;

class RuntimeConnection {
 public:
  // `max_body`: a request body past it is kTooLarge.
  RuntimeConnection(Fd socket, size_t max_body);

  int fd() const { return socket_.get(); }

  // Reads what the socket has (one recv). False when the peer closed it or it failed; true on
  // EAGAIN too (level-triggered polling calls again).
  bool Receive();

  enum class Parsed {
    kNeedMore,  // no whole request buffered yet
    kRequest,   // `request` holds the next request
    kTooLarge,  // its body is over the limit: `request` holds the header and what came of the body
    kBad,       // malformed: the connection is unusable
  };
  // Parses the next request from what was received. Queues `100 Continue` for a request that
  // asks for it once its header is in.
  Parsed Next(RuntimeRequest& request);

  // Whether a whole `GET /next` is already buffered behind what was parsed: the runtime pipelines.
  bool NextQueued() const;

  // Queues a JSON response. `headers`: extra header lines, each ending in CRLF.
  void Queue(unsigned status, std::string_view headers, std::string_view body, bool keep_alive);

  // Writes as much of the queued output as the socket takes. False on a write error.
  bool Flush();
  bool HasOutput() const { return sent_ < out_.size(); }

  // After the last response: no more requests are read (Next returns kNeedMore), and once the
  // output is written the server shuts the socket down and discards what else arrives.
  bool closing = false;
  // The output is written and the socket shut down for writing: waiting for the peer's EOF.
  bool draining = false;
  // A GET /next waits for an invocation; `next_keep_alive` is that request's keep-alive.
  bool waiting_next = false;
  bool next_keep_alive = true;
  // The epoll events registered for the socket.
  uint32_t events = 0;

 private:
  Fd socket_;
  size_t max_body_;
  std::string in_;
  size_t parsed_ = 0;  // bytes of in_ the parser consumed
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  bool continued_ = false;  // 100 Continue was queued for the request being parsed
  std::string out_;
  size_t sent_ = 0;
};

}  // namespace lamina::init
