// A no-op function for the `provided` runtimes, in C++: the smallest honest Runtime API client.
// It keeps one connection to $AWS_LAMBDA_RUNTIME_API and answers every event with "{}".
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

int Connect(const char* api) {
  std::string host(api);
  size_t colon = host.find(':');
  int port = std::atoi(host.c_str() + colon + 1);
  host.resize(colon);
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) std::exit(1);
  return fd;
}

void WriteAll(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::write(fd, s.data() + off, s.size() - off);
    if (n <= 0) std::exit(1);
    off += static_cast<size_t>(n);
  }
}

// Reads one response; returns its headers and discards its body.
std::string ReadResponse(int fd, std::string& buffer) {
  size_t end;
  while ((end = buffer.find("\r\n\r\n")) == std::string::npos) {
    char chunk[65536];
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n <= 0) std::exit(0);
    buffer.append(chunk, static_cast<size_t>(n));
  }
  std::string head = buffer.substr(0, end + 4);
  size_t length = 0;
  if (const char* cl = strcasestr(head.c_str(), "\r\ncontent-length:"))
    length = std::strtoul(cl + 17, nullptr, 10);
  while (buffer.size() < end + 4 + length) {
    char chunk[65536];
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n <= 0) std::exit(0);
    buffer.append(chunk, static_cast<size_t>(n));
  }
  buffer.erase(0, end + 4 + length);
  return head;
}

}  // namespace

int main() {
  const char* api = std::getenv("AWS_LAMBDA_RUNTIME_API");
  if (!api) return 1;
  int fd = Connect(api);
  std::string buffer;
  const std::string next =
      "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: " + std::string(api) + "\r\n\r\n";
  for (;;) {
    WriteAll(fd, next);
    std::string head = ReadResponse(fd, buffer);
    const char* id = strcasestr(head.c_str(), "\r\nlambda-runtime-aws-request-id:");
    if (!id) return 1;
    id += 32;
    while (*id == ' ') ++id;
    std::string request_id(id, std::strcspn(id, "\r"));
    WriteAll(fd, "POST /2018-06-01/runtime/invocation/" + request_id +
                     "/response HTTP/1.1\r\nHost: " + api +
                     "\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
    ReadResponse(fd, buffer);
  }
}
