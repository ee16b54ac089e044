// Plain HTTP request and response values, free of any HTTP library's types, so that services
// and tests never include Beast.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lamina::http {

// Header names are stored lowercase on requests; repeated headers keep their order.
using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // raw request target as received: path[?query]
  std::string path;    // raw (still percent-encoded) path part of target
  std::string query;   // raw query string, without '?'
  Headers headers;     // lowercase names
  std::string body;
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
  // The answer to a request whose body exceeded the server's limit (the body is not read).
  virtual HttpResponse BodyTooLarge(const HttpRequest& head) = 0;
};

}  // namespace lamina::http
