// Plain HTTP request and response values, free of any HTTP library's types, so that services
// and tests never include Beast.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace lamina::http {

// Header names are stored lowercase on requests; repeated headers keep their order.
using Headers = std::vector<std::pair<std::string, std::string>>;

// Where the server puts a request body too large to hold in memory (an S3 upload): its bytes in
// order, as they arrive. Start, Write and Finish are called one after another, never at once, on a
// thread that may block (disk I/O), not on the event loop. The first error ends the body: the
// server reads no more of it, still hands the request to its handler, and closes the connection
// after the answer.
class BodySink {
 public:
  virtual ~BodySink() = default;
  // Before the server reads any of the body (and before it answers Expect: 100-continue), so
  // that a request refused on its headers alone is answered before the client sends its body.
  virtual Status Start() = 0;
  virtual Status Write(std::string_view bytes) = 0;
  // After the body's last byte.
  virtual Status Finish() = 0;
};

// A response body read piece by piece (an object on disk), never whole in memory. Read is called
// repeatedly on a thread that may block until size() bytes were read.
class BodySource {
 public:
  virtual ~BodySource() = default;
  virtual uint64_t size() const = 0;
  // Fills `buffer` with up to `capacity` of the next bytes; `read` is how many (0 only at the end).
  virtual Status Read(char* buffer, size_t capacity, size_t& read) = 0;
};

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // raw request target as received: path[?query]
  std::string path;    // raw (still percent-encoded) path part of target
  std::string query;   // raw query string, without '?'
  Headers headers;     // lowercase names
  std::string body;
  // For a streamed body (Handler::OpenBodySink): the sink that took it, `body` staying empty.
  std::shared_ptr<BodySink> body_sink;
  std::string remote_address;
  // For a connection relayed from an execution environment (Server::Adopt): the ARN of the
  // function whose sandbox opened it. Empty otherwise.
  std::string relayed_from;

  // First value of a header (name in lowercase), or nullptr.
  const std::string* Header(std::string_view lowercase_name) const;
  void AddHeader(std::string name, std::string value);  // lowercases the name
};

struct HttpResponse {
  int status = 200;
  Headers headers;  // names as they should appear on the wire
  std::string body;
  // When set, the body is read from here instead (Content-Length is its size).
  std::shared_ptr<BodySource> body_source;

  void SetHeader(std::string name, std::string value);     // replaces, case-insensitively
  const std::string* Header(std::string_view name) const;  // case-insensitive
};

// Completes a request. May be called from any thread, exactly once.
using Responder = std::function<void(HttpResponse)>;

// What the server calls for each request. Handle must not block for long: it may answer at once
// or hand the work to another thread and call `respond` later.
class Handler {
 public:
  virtual ~Handler() = default;
  virtual void Handle(HttpRequest request, Responder respond) = 0;
  // Whether the body of the request whose head this is should be streamed into a sink instead
  // of read into memory, and the sink; null for memory. Called on the event loop: must be quick.
  // A streamed body has no size limit of the server's: the sink enforces its own.
  virtual std::shared_ptr<BodySink> OpenBodySink(const HttpRequest& /*head*/) { return nullptr; }
  // The answer to a request whose body exceeded the server's limit (the body is not read).
  virtual HttpResponse BodyTooLarge(const HttpRequest& head) = 0;
};

}  // namespace lamina::http
