#include "init/runtime_connection.h"

#include <sys/socket.h>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/status.hpp>
#include <cerrno>

namespace lamina::init {

namespace bhttp = boost::beast::http;

RuntimeConnection::RuntimeConnection(Fd socket, size_t max_body)
    : socket_(std::move(socket)), max_body_(max_body) {}

bool RuntimeConnection::Receive() {
  char buf[65536];
  ssize_t got = ::recv(socket_.get(), buf, sizeof buf, MSG_DONTWAIT);
  if (got < 0) return errno == EAGAIN || errno == EINTR;
  if (got == 0) return false;
  if (!draining) in_.append(buf, static_cast<size_t>(got));
  return true;
}

RuntimeConnection::Parsed RuntimeConnection::Next(RuntimeRequest& request) {
  if (closing) return Parsed::kNeedMore;
  if (!parser_) {
    parser_.emplace();
    parser_->body_limit(max_body_);
    parser_->eager(true);
    continued_ = false;
  }
  Parsed result = Parsed::kNeedMore;
  for (;;) {
    boost::system::error_code ec;
    size_t used = parser_->put(boost::asio::buffer(in_.data() + parsed_, in_.size() - parsed_), ec);
    parsed_ += used;
    if (ec == bhttp::error::need_more || (!ec && used == 0 && !parser_->is_done())) {
      if (parser_->is_header_done() && !continued_) {
        auto expect = parser_->get().find(bhttp::field::expect);
        if (expect != parser_->get().end() &&
            boost::beast::iequals(expect->value(), "100-continue")) {
          out_ += "HTTP/1.1 100 Continue\r\n\r\n";
          continued_ = true;
        }
      }
      break;
    }
    if (ec == bhttp::error::body_limit) {
      result = Parsed::kTooLarge;
    } else if (ec) {
      result = Parsed::kBad;
      closing = true;
      break;
    } else if (!parser_->is_done()) {
      continue;
    } else {
      result = Parsed::kRequest;
    }
    request = parser_->release();
    parser_.reset();
    break;
  }
  if (parsed_ == in_.size() || parsed_ >= 65536) {
    in_.erase(0, parsed_);
    parsed_ = 0;
  }
  return result;
}

bool RuntimeConnection::NextQueued() const {
  std::string_view rest = std::string_view(in_).substr(parsed_);
  constexpr std::string_view kNext = "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\n";
  return rest.substr(0, kNext.size()) == kNext && rest.find("\r\n\r\n") != rest.npos;
}

void RuntimeConnection::Queue(unsigned status, std::string_view headers, std::string_view body,
                              bool keep_alive) {
  boost::beast::string_view reason = bhttp::obsolete_reason(static_cast<bhttp::status>(status));
  out_ += "HTTP/1.1 ";
  out_ += std::to_string(status);
  out_ += ' ';
  out_.append(reason.data(), reason.size());
  out_ += "\r\nContent-Type: application/json\r\n";
  out_ += headers;
  out_ += "Content-Length: ";
  out_ += std::to_string(body.size());
  out_ += keep_alive ? "\r\n\r\n" : "\r\nConnection: close\r\n\r\n";
  out_ += body;
}

bool RuntimeConnection::Flush() {
  while (sent_ < out_.size()) {
    ssize_t n = ::send(socket_.get(), out_.data() + sent_, out_.size() - sent_,
                       MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno == EAGAIN;
    sent_ += static_cast<size_t>(n);
  }
  out_.clear();
  sent_ = 0;
  return true;
}

}  // namespace lamina::init
