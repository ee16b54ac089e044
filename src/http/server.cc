#include "http/server.h"

#include <unistd.h>

// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <limits>
#include <list>
#include <utility>

#include "common/log.h"

namespace lamina::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

class Server::Impl {
 public:
  Impl(asio::io_context& io, ServerOptions options, Handler* handler)
      : io_(io), options_(std::move(options)), handler_(handler), acceptor_(io_) {}

  Status Listen() {
    boost::system::error_code ec;
    auto address = asio::ip::make_address(options_.host, ec);
    if (ec) return InvalidArgument("bad listen address '" + options_.host + "': " + ec.message());
    tcp::endpoint endpoint(address, options_.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return Internal("cannot listen on " + options_.host + ":" + std::to_string(options_.port) +
                      ": " + ec.message());
    }
    port_ = acceptor_.local_endpoint().port();
    return Status::Ok();
  }

  uint16_t port() const { return port_; }

  void Start() { asio::co_spawn(io_, Accept(), asio::detached); }

  void Adopt(int fd, std::string relayed_from, std::shared_ptr<void> hold) {
    asio::dispatch(
        io_, [this, fd, relayed_from = std::move(relayed_from), hold = std::move(hold)]() mutable {
          if (stopping_) {
            ::close(fd);
            return;
          }
          tcp::socket socket(io_);
          boost::system::error_code ec;
          socket.assign(tcp::v4(), fd, ec);
          if (ec) {
            ::close(fd);
            return;
          }
          Spawn(std::move(socket), std::move(relayed_from), std::move(hold));
        });
  }

  void Stop(std::function<void()> stopped) {
    asio::post(io_, [this, stopped = std::move(stopped)]() mutable {
      if (stopping_) return;
      stopping_ = true;
      stopped_ = std::move(stopped);
      boost::system::error_code ignored;
      acceptor_.close(ignored);
      for (Connection& c : connections_) {
        if (!c.busy) c.stream.socket().close(ignored);
      }
      MaybeStopped();
    });
  }

 private:
  struct Connection {
    explicit Connection(tcp::socket s) : stream(std::move(s)) {}
    beast::tcp_stream stream;
    bool busy = false;  // a request is being read past its first byte, handled or answered
  };

  // Once stopping, the last connection to close (or Stop itself, when none is open) reports.
  void MaybeStopped() {
    if (stopping_ && connections_.empty() && !accepting_ && stopped_) {
      auto stopped = std::move(stopped_);
      stopped_ = nullptr;
      stopped();
    }
  }

  asio::awaitable<void> Accept() {
    accepting_ = true;
    while (!stopping_) {
      boost::system::error_code ec;
      tcp::socket socket =
          co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (stopping_) break;
        log::Warn("accept failed", {{"error", ec.message()}});
        continue;
      }
      Spawn(std::move(socket), "", nullptr);
    }
    accepting_ = false;
    MaybeStopped();
  }

  // Serves a connection until it closes. Not inlined: GCC 12 misreads an inlined coroutine
  // frame's deallocation as a mismatched delete (-Wmismatched-new-delete).
  [[gnu::noinline]] void Spawn(tcp::socket socket, std::string relayed_from,
                               std::shared_ptr<void> hold) {
    asio::co_spawn(io_, Serve(std::move(socket), std::move(relayed_from), std::move(hold)),
                   asio::detached);
  }

  // Awaits the handler's answer, which may come from another thread.
  asio::awaitable<HttpResponse> Dispatch(HttpRequest request) {
    auto initiate = [this, &request](auto completion) {
      using Completion = decltype(completion);
      auto shared = std::make_shared<Completion>(std::move(completion));
      handler_->Handle(std::move(request), [this, shared](HttpResponse response) {
        asio::post(io_, [shared, r = std::move(response)]() mutable { (*shared)(std::move(r)); });
      });
    };
    co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(HttpResponse)>(
        initiate, asio::use_awaitable);
  }

  // A request that broke HTTP's rules, as opposed to a peer that went away or timed out.
  static bool IsMalformed(const boost::system::error_code& ec) {
    return ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
           ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message;
  }

  static HttpResponse BadRequest(const boost::system::error_code& ec) {
    HttpResponse r;
    r.status = 400;
    r.SetHeader("Content-Type", "application/json");
    r.SetHeader("x-amzn-ErrorType", "BadRequestException");
    r.body = "{\"message\":\"Malformed HTTP request: " + ec.message() + "\"}";
    return r;
  }

  template <typename Body>
  static HttpRequest ToRequest(const bhttp::request<Body>& in, std::string remote,
                               std::string relayed_from = "") {
    HttpRequest out;
    out.method = std::string(in.method_string());
    out.target = std::string(in.target());
    size_t q = out.target.find('?');
    out.path = out.target.substr(0, q);
    if (q != std::string::npos) out.query = out.target.substr(q + 1);
    for (const auto& field : in) {
      out.AddHeader(std::string(field.name_string()), std::string(field.value()));
    }
    out.remote_address = std::move(remote);
    out.relayed_from = std::move(relayed_from);
    return out;
  }

  // Writes `response`; a HEAD request's answer keeps the Content-Length its handler set (the size
  // of what a GET would return) and sends no body.
  asio::awaitable<void> Write(Connection& c, HttpResponse response, bool keep_alive,
                              unsigned version, bool head = false) {
    if (response.body_source && !head) {
      co_await WriteStreamed(c, std::move(response), keep_alive, version);
      co_return;
    }
    bhttp::response<bhttp::string_body> out;
    out.version(version);
    out.result(static_cast<unsigned>(response.status));
    for (auto& [name, value] : response.headers) out.set(name, value);
    out.keep_alive(keep_alive);
    if (head) {
      if (out.find(bhttp::field::content_length) == out.end()) {
        out.content_length(response.body_source ? response.body_source->size()
                                                : response.body.size());
      }
    } else {
      out.body() = std::move(response.body);
      out.prepare_payload();
    }
    boost::system::error_code ec;
    c.stream.expires_after(std::chrono::milliseconds(options_.read_timeout_ms));
    bhttp::response_serializer<bhttp::string_body> serializer(out);
    if (head) {
      co_await bhttp::async_write_header(c.stream, serializer,
                                         asio::redirect_error(asio::use_awaitable, ec));
    } else {
      co_await bhttp::async_write(c.stream, serializer,
                                  asio::redirect_error(asio::use_awaitable, ec));
    }
  }

  // Writes a response whose body comes from a BodySource, one buffer at a time: each read on the
  // blocking pool, each write under its own timeout. A failed read cuts the connection (the
  // header, with its Content-Length, is already out), which the client sees as a short body.
  asio::awaitable<void> WriteStreamed(Connection& c, HttpResponse response, bool keep_alive,
                                      unsigned version) {
    std::shared_ptr<BodySource> source = std::move(response.body_source);
    bhttp::response<bhttp::buffer_body> out;
    out.version(version);
    out.result(static_cast<unsigned>(response.status));
    for (auto& [name, value] : response.headers) out.set(name, value);
    out.keep_alive(keep_alive);
    uint64_t remaining = source->size();
    out.content_length(remaining);
    out.body().data = nullptr;
    out.body().more = remaining > 0;
    bhttp::response_serializer<bhttp::buffer_body> serializer(out);
    boost::system::error_code ec;
    c.stream.expires_after(std::chrono::milliseconds(options_.read_timeout_ms));
    co_await bhttp::async_write_header(c.stream, serializer,
                                       asio::redirect_error(asio::use_awaitable, ec));
    std::unique_ptr<char[]> buffer(new char[kStreamBuffer]);
    while (!ec && remaining > 0) {
      size_t n = 0;
      Status read = co_await OnPool([&] {
        return source->Read(buffer.get(), std::min<uint64_t>(kStreamBuffer, remaining), n);
      });
      if (!read.ok() || n == 0) {
        log::Warn("response body ended early", {{"error", read.ToString()}});
        c.stream.socket().close(ec);
        co_return;
      }
      remaining -= n;
      out.body().data = buffer.get();
      out.body().size = n;
      out.body().more = remaining > 0;
      c.stream.expires_after(std::chrono::milliseconds(options_.read_timeout_ms));
      co_await bhttp::async_write(c.stream, serializer,
                                  asio::redirect_error(asio::use_awaitable, ec));
      if (ec == bhttp::error::need_buffer) ec = {};
    }
  }

  // Work handed to the blocking pool whose result the loop awaits later, doing something else
  // meanwhile (reading a body's next buffer while the last one is written).
  struct PoolTask {
    explicit PoolTask(asio::io_context& io) : timer(io, asio::steady_timer::time_point::max()) {}
    asio::steady_timer timer;  // cancelled when the work is done
    bool done = false;
    Status status;
  };

  std::shared_ptr<PoolTask> StartOnPool(std::function<Status()> work) {
    auto task = std::make_shared<PoolTask>(io_);
    asio::post(blocking_, [this, task, work = std::move(work)] {
      Status status = work();
      asio::post(io_, [task, status = std::move(status)]() mutable {
        task->status = std::move(status);
        task->done = true;
        task->timer.cancel();
      });
    });
    return task;
  }

  static asio::awaitable<Status> Await(std::shared_ptr<PoolTask> task) {
    if (!task->done) {
      boost::system::error_code ec;
      co_await task->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    co_return task->status;
  }

  // Runs `work` on the blocking pool and resumes on the loop with its result: file reads and
  // writes of streamed bodies never block the loop.
  asio::awaitable<Status> OnPool(std::function<Status()> work) {
    co_return co_await Await(StartOnPool(std::move(work)));
  }

  // Reads the body into `sink`, one buffer at a time, each write on the blocking pool. The
  // request must arrive at least one buffer per read timeout. Returns false when the connection
  // cannot be used further: the peer went away, or the body was not read to its end.
  asio::awaitable<bool> Stream(Connection& c, beast::flat_buffer& buffer,
                               bhttp::request_parser<bhttp::empty_body>& head_parser,
                               BodySink& sink, bool expect_continue) {
    Status status = co_await OnPool([&] { return sink.Start(); });
    if (!status.ok()) co_return false;
    boost::system::error_code ec;
    if (expect_continue) {
      bhttp::response<bhttp::empty_body> go_on{bhttp::status::continue_,
                                               head_parser.get().version()};
      co_await bhttp::async_write(c.stream, go_on, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return false;
    }
    bool whole = head_parser.chunked() || !head_parser.content_length()
                     ? co_await StreamChunked(c, buffer, head_parser, sink)
                     : co_await StreamSized(c, buffer, *head_parser.content_length(), sink);
    if (!whole) co_return false;
    status = co_await OnPool([&] { return sink.Finish(); });
    co_return status.ok();
  }

  // A body of known length, read straight from the socket into two buffers in turn: one is
  // written on the pool while the other fills.
  asio::awaitable<bool> StreamSized(Connection& c, beast::flat_buffer& buffer, uint64_t remaining,
                                    BodySink& sink) {
    std::unique_ptr<char[]> buffers[2] = {std::unique_ptr<char[]>(new char[kStreamBuffer]),
                                          std::unique_ptr<char[]>(new char[kStreamBuffer])};
    std::shared_ptr<PoolTask> writing;
    bool ok = true;
    for (int turn = 0; ok && remaining > 0; turn ^= 1) {
      char* chunk = buffers[turn].get();
      size_t want = static_cast<size_t>(std::min<uint64_t>(kStreamBuffer, remaining));
      // What arrived with the head comes first.
      size_t have = asio::buffer_copy(asio::buffer(chunk, want), buffer.data());
      buffer.consume(have);
      if (have < want) {
        boost::system::error_code ec;
        c.stream.expires_after(std::chrono::milliseconds(options_.read_timeout_ms));
        co_await asio::async_read(c.stream, asio::buffer(chunk + have, want - have),
                                  asio::redirect_error(asio::use_awaitable, ec));
        if (ec) ok = false;
      }
      remaining -= want;
      if (writing) ok = (co_await Await(std::move(writing))).ok() && ok;
      writing = nullptr;
      if (ok) {
        writing =
            StartOnPool([&sink, chunk, want] { return sink.Write(std::string_view(chunk, want)); });
      }
    }
    // Never leave a write running on buffers this frame owns.
    if (writing) ok = (co_await Await(std::move(writing))).ok() && ok;
    co_return ok;
  }

  // A chunked (Transfer-Encoding) body, through Beast's parser: a buffer at a time.
  asio::awaitable<bool> StreamChunked(Connection& c, beast::flat_buffer& buffer,
                                      bhttp::request_parser<bhttp::empty_body>& head_parser,
                                      BodySink& sink) {
    bhttp::request_parser<bhttp::buffer_body> parser(std::move(head_parser));
    parser.body_limit(std::numeric_limits<uint64_t>::max());
    std::unique_ptr<char[]> chunk(new char[kStreamBuffer]);
    boost::system::error_code ec;
    while (!parser.is_done()) {
      parser.get().body().data = chunk.get();
      parser.get().body().size = kStreamBuffer;
      // Fill the whole buffer (or take the body's end) before handing it to the pool: each
      // hand-off costs two thread switches, and a socket read brings 64 KB at most.
      while (!parser.is_done() && parser.get().body().size > 0) {
        c.stream.expires_after(std::chrono::milliseconds(options_.read_timeout_ms));
        co_await bhttp::async_read_some(c.stream, buffer, parser,
                                        asio::redirect_error(asio::use_awaitable, ec));
        if (ec == bhttp::error::need_buffer) {
          ec = {};
          break;
        }
        if (ec) co_return false;
      }
      size_t n = kStreamBuffer - parser.get().body().size;
      if (n == 0) continue;
      Status status = co_await OnPool([&] { return sink.Write(std::string_view(chunk.get(), n)); });
      if (!status.ok()) co_return false;
    }
    co_return true;
  }

  // `hold` lives in the coroutine's frame: until the connection is closed.
  asio::awaitable<void> Serve(tcp::socket socket, std::string relayed_from,
                              [[maybe_unused]] std::shared_ptr<void> hold) {
    std::string remote;
    boost::system::error_code ec;
    auto endpoint = socket.remote_endpoint(ec);
    if (!ec) remote = endpoint.address().to_string();

    connections_.emplace_front(std::move(socket));
    auto self = connections_.begin();
    Connection& c = *self;
    c.stream.socket().set_option(tcp::no_delay(true), ec);

    beast::flat_buffer buffer;
    while (!stopping_) {
      // The head first; then the body, into memory or (OpenBodySink) a sink.
      bhttp::request_parser<bhttp::empty_body> head_parser;
      head_parser.body_limit(std::numeric_limits<uint64_t>::max());
      head_parser.header_limit(static_cast<uint32_t>(options_.max_header_bytes));
      c.busy = false;
      // Wait for the first byte of the next request under the idle timeout; the rest of the
      // request must arrive within the read timeout.
      c.stream.expires_after(std::chrono::milliseconds(options_.idle_timeout_ms));
      co_await bhttp::async_read_header(c.stream, buffer, head_parser,
                                        asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (IsMalformed(ec)) co_await Write(c, BadRequest(ec), false, 11);
        break;  // truncated or slow: nobody to answer
      }
      c.busy = true;
      const auto& head_message = head_parser.get();
      unsigned version = head_message.version();
      bool keep_alive = head_message.keep_alive();
      bool is_head = head_message.method() == bhttp::verb::head;
      auto expect = head_message.find(bhttp::field::expect);
      bool expect_continue =
          expect != head_message.end() && beast::iequals(expect->value(), "100-continue");
      HttpRequest request = ToRequest(head_message, remote, relayed_from);

      if (!head_parser.is_done()) {
        if (auto sink = handler_->OpenBodySink(request)) {
          bool whole = co_await Stream(c, buffer, head_parser, *sink, expect_continue);
          request.body_sink = std::move(sink);
          keep_alive = keep_alive && whole;
        } else {
          auto declared = head_parser.content_length();
          if (declared && *declared > options_.max_body_bytes) {
            co_await Write(c, handler_->BodyTooLarge(request), false, version);
            break;
          }
          if (expect_continue) {
            bhttp::response<bhttp::empty_body> go_on{bhttp::status::continue_, version};
            co_await bhttp::async_write(c.stream, go_on,
                                        asio::redirect_error(asio::use_awaitable, ec));
            if (ec) break;
          }
          bhttp::request_parser<bhttp::string_body> parser(std::move(head_parser));
          parser.body_limit(options_.max_body_bytes);
          c.stream.expires_after(std::chrono::milliseconds(options_.read_timeout_ms));
          co_await bhttp::async_read(c.stream, buffer, parser,
                                     asio::redirect_error(asio::use_awaitable, ec));
          if (ec == bhttp::error::body_limit) {  // a chunked body past the limit
            co_await Write(c, handler_->BodyTooLarge(request), false, version);
            break;
          }
          if (ec) {
            if (IsMalformed(ec)) co_await Write(c, BadRequest(ec), false, 11);
            break;
          }
          request.body = std::move(parser.get().body());
        }
      }
      HttpResponse response = co_await Dispatch(std::move(request));
      co_await Write(c, std::move(response), keep_alive && !stopping_, version, is_head);
      if (!keep_alive) break;
    }
    c.stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    c.stream.socket().close(ec);
    connections_.erase(self);
    MaybeStopped();
  }

  static constexpr size_t kStreamBuffer = 1024 * 1024;

  asio::io_context& io_;
  ServerOptions options_;
  Handler* handler_;
  tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  // Touched only on the event loop:
  bool stopping_ = false;
  bool accepting_ = false;  // the accept loop has not ended yet
  std::function<void()> stopped_;
  std::list<Connection> connections_;
  // Disk I/O of streamed bodies. Last member: joined (its work finished) before the rest goes.
  asio::thread_pool blocking_{2};
};

Server::Server(asio::io_context& io, ServerOptions options, Handler* handler)
    : impl_(std::make_unique<Impl>(io, std::move(options), handler)) {}
Server::~Server() = default;
Status Server::Listen() { return impl_->Listen(); }
uint16_t Server::port() const { return impl_->port(); }
void Server::Start() { impl_->Start(); }
void Server::Adopt(int socket, std::string relayed_from, std::shared_ptr<void> hold) {
  impl_->Adopt(socket, std::move(relayed_from), std::move(hold));
}
void Server::Stop(std::function<void()> stopped) { impl_->Stop(std::move(stopped)); }

}  // namespace lamina::http
