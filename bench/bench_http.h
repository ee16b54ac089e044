// What Lamina's load generators share: a keep-alive HTTP/1.1 connection that signs each request
// as the SDKs do, and latency percentiles.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "auth/credentials.h"
#include "auth/sigv4.h"
#include "common/clock.h"

namespace lamina::bench {

using SteadyClock = std::chrono::steady_clock;
using HeaderList = std::vector<std::pair<std::string, std::string>>;

// One keep-alive HTTP/1.1 connection.
class Connection {
 public:
  explicit Connection(const std::string& endpoint) : host_(endpoint) { Connect(); }
  ~Connection() { ::close(fd_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Sends a request signed for `service`; returns the status and fills the response headers and
  // body.
  int Send(const std::string& method, const std::string& path, const std::string& body,
           const HeaderList& headers, const auth::Credential& credential,
           const std::string& region, std::string& head, std::string& response_body,
           const std::string& service = "lambda") {
    WriteHead(method, path, headers, credential, region, service, body, body.size());
    WriteAll(body.data(), body.size());
    return ReadResponse(head, &response_body);
  }

  // A PUT of `size` bytes of `chunk` repeated, sent with UNSIGNED-PAYLOAD as the SDKs stream
  // uploads; returns the status.
  int PutStreamed(const std::string& path, uint64_t size, const std::string& chunk,
                  const auth::Credential& credential, const std::string& region,
                  const std::string& service) {
    WriteHead("PUT", path, {{"x-amz-content-sha256", "UNSIGNED-PAYLOAD"}}, credential, region,
              service, "", size);
    for (uint64_t sent = 0; sent < size;) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(chunk.size(), size - sent));
      WriteAll(chunk.data(), n);
      sent += n;
    }
    std::string head;
    return ReadResponse(head, nullptr);
  }

  // A GET whose body is read and dropped; `bytes` gets its length.
  int GetDiscarding(const std::string& path, const auth::Credential& credential,
                    const std::string& region, const std::string& service, uint64_t& bytes) {
    WriteHead("GET", path, {}, credential, region, service, "", 0);
    std::string head;
    int status = ReadResponse(head, nullptr, &bytes);
    return status;
  }

 private:
  void Connect() {
    size_t colon = host_.find(':');
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(std::stoi(host_.substr(colon + 1))));
    ::inet_pton(AF_INET, host_.substr(0, colon).c_str(), &addr.sin_addr);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      std::perror("connect");
      std::exit(1);
    }
  }

  void WriteHead(const std::string& method, const std::string& path, const HeaderList& headers,
                 const auth::Credential& credential, const std::string& region,
                 const std::string& service, const std::string& body, uint64_t length) {
    if (closed_) {  // the server closed the last connection (moto's does after every answer)
      ::close(fd_);
      buffer_.clear();
      Connect();
      closed_ = false;
    }
    http::HttpRequest r;
    r.method = method;
    size_t q = path.find('?');
    r.path = path.substr(0, q);
    if (q != std::string::npos) r.query = path.substr(q + 1);
    r.AddHeader("host", host_);
    for (const auto& [k, v] : headers) r.AddHeader(k, v);
    bool unsigned_payload = false;
    for (const auto& [k, v] : headers) unsigned_payload |= v == "UNSIGNED-PAYLOAD";
    r.body = body;
    auth::SignRequest(r, credential, region, service, NowMillis(), unsigned_payload);
    std::string out = method + " " + path + " HTTP/1.1\r\n";
    for (const auto& [k, v] : r.headers) out += k + ": " + v + "\r\n";
    out += "content-length: " + std::to_string(length) + "\r\n\r\n";
    WriteAll(out.data(), out.size());
  }

  void WriteAll(const char* data, size_t size) {
    for (size_t off = 0; off < size;) {
      ssize_t n = ::write(fd_, data + off, size - off);
      if (n <= 0) {
        std::fprintf(stderr, "write failed\n");
        std::exit(1);
      }
      off += static_cast<size_t>(n);
    }
  }

  // Reads one response: its head, and its body into `body` (or, when null, drops it and counts
  // it into `dropped`).
  int ReadResponse(std::string& head, std::string* body, uint64_t* dropped = nullptr) {
    size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) Fill();
    head = buffer_.substr(0, end + 4);
    uint64_t length = 0;
    if (const char* cl = strcasestr(head.c_str(), "\r\ncontent-length:")) {
      length = std::strtoull(cl + 17, nullptr, 10);
    }
    buffer_.erase(0, end + 4);
    if (body) {
      while (buffer_.size() < length) Fill();
      *body = buffer_.substr(0, length);
      buffer_.erase(0, length);
    } else {
      uint64_t left = length;
      while (left > 0) {
        if (buffer_.empty()) Fill();
        size_t n = static_cast<size_t>(std::min<uint64_t>(left, buffer_.size()));
        buffer_.erase(0, n);
        left -= n;
      }
      if (dropped) *dropped = length;
    }
    closed_ = strcasestr(head.c_str(), "\r\nconnection: close") != nullptr;
    return std::atoi(head.c_str() + 9);
  }

  void Fill() {
    char chunk[262144];
    ssize_t n = ::read(fd_, chunk, sizeof chunk);
    if (n <= 0) {
      std::fprintf(stderr, "connection closed\n");
      std::exit(1);
    }
    buffer_.append(chunk, static_cast<size_t>(n));
  }

  std::string host_;
  int fd_ = -1;
  bool closed_ = false;
  std::string buffer_;
};

inline double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = std::min(v.size() - 1, static_cast<size_t>(p / 100.0 * static_cast<double>(v.size())));
  return v[i];
}

inline void PrintLatency(const char* what, std::vector<double> ms) {
  std::printf("%s: n=%zu p50=%.3f ms p99=%.3f ms p99.9=%.3f ms max=%.3f ms\n", what, ms.size(),
              Percentile(ms, 50), Percentile(ms, 99), Percentile(ms, 99.9), Percentile(ms, 100));
}

inline double Since(SteadyClock::time_point t) {
  return std::chrono::duration<double, std::milli>(SteadyClock::now() - t).count();
}

}  // namespace lamina::bench
