#include "init/init_server.h"

// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <chrono>
#include <cstring>
#include <deque>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

#include "common/clock.h"
#include "sandbox/frame.h"

namespace lamina::init {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using sandbox::FrameType;

constexpr size_t kMaxResponseBytes = 6291556;  // AWS's synchronous response limit
constexpr size_t kMaxLogLine = 256 * 1024;

std::string ErrorBody(const std::string& type, const std::string& message) {
  return nlohmann::json{{"errorMessage", message}, {"errorType", type}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
}

struct Invocation {
  std::string id, deadline_ms, arn, trace_id, client_context, identity, tenant_id, payload;
  bool answered = false;
};

// Starts the runtime the way posix_spawn does, sharing our memory until the exec (no page-table
// copy), but without posix_spawn's reset of all 64 signal dispositions (64 system calls on
// every cold start): only SIGCHLD has a handler here, and the child resets just that one before
// it unblocks signals.
struct SpawnArgs {
  char* const* argv;
  char* const* envp;
  int out_fd;         // becomes the runtime's stdout and stderr; stdin is /dev/null
  int exec_errno;     // set by the child when its exec failed (it then exits 127)
  sigset_t old_mask;  // the parent's, restored in the child just before the exec
};

int RuntimeChild(void* p) {
  auto* a = static_cast<SpawnArgs*>(p);
  int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null >= 0) ::dup2(null, 0);
  ::dup2(a->out_fd, 1);
  ::dup2(a->out_fd, 2);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  ::sigaction(SIGCHLD, &dfl, nullptr);
  ::sigprocmask(SIG_SETMASK, &a->old_mask, nullptr);
  ::execve(a->argv[0], a->argv, a->envp);
  a->exec_errno = errno;
  ::_exit(127);
}

pid_t SpawnRuntime(SpawnArgs& args) {
  constexpr size_t kStackBytes = 64 * 1024;
  std::unique_ptr<char[]> stack(new char[kStackBytes]);
  sigset_t all;
  sigfillset(&all);
  ::sigprocmask(SIG_SETMASK, &all, &args.old_mask);  // no handler of ours runs in the child
  pid_t pid =
      ::clone(RuntimeChild, stack.get() + kStackBytes, CLONE_VM | CLONE_VFORK | SIGCHLD, &args);
  int saved = errno;
  ::sigprocmask(SIG_SETMASK, &args.old_mask, nullptr);
  errno = saved;
  return pid;
}

class InitServer {
 public:
  explicit InitServer(const InitOptions& o)
      : options_(o), daemon_(io_, o.daemon_fd), acceptor_(io_), signals_(io_, SIGCHLD) {}

  int Run() {
    boost::system::error_code ec;
    tcp::endpoint endpoint(asio::ip::make_address(options_.address), options_.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(64, ec);
    if (ec) return Die("Runtime API cannot listen: " + ec.message());
    if (!StartBootstrap()) return 1;
    WatchChildren();
    asio::co_spawn(io_, ReadDaemon(), asio::detached);
    asio::co_spawn(io_, Accept(), asio::detached);
    io_.run();
    return exit_code_;
  }

 private:
  // --- the daemon side --------------------------------------------------------------------
  void Send(FrameType type, const std::vector<std::string_view>& fields) {
    std::string frame;
    sandbox::AppendFrame(type, fields, frame);
    boost::system::error_code ec;
    asio::write(daemon_, asio::buffer(frame), ec);
    if (ec) Stop(0);  // the daemon is gone: nothing left to serve
  }

  int Die(const std::string& message) {
    Send(FrameType::kInitError, {"Sandbox.Failure", message, "platform"});
    return 1;
  }

  asio::awaitable<void> ReadDaemon() {
    sandbox::FrameDecoder decoder;
    char buf[65536];
    bool open = true;
    while (open) {
      // Wait, then read what is there (see Environment::Read in the daemon: an async read
      // would try a read that fails with EAGAIN after every frame).
      boost::system::error_code ec;
      co_await daemon_.async_wait(asio::posix::stream_descriptor::wait_read,
                                  asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;
      for (;;) {
        ssize_t got = ::recv(daemon_.native_handle(), buf, sizeof buf, MSG_DONTWAIT);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0 && errno == EAGAIN) break;
        if (got <= 0) {
          open = false;
          break;
        }
        decoder.Feed(buf, static_cast<size_t>(got));
        bool bad = false;
        while (auto frame = decoder.Next(bad)) {
          if (frame->type == FrameType::kInvoke && frame->fields.size() == 8) {
            auto& f = frame->fields;
            pending_.push_back(Invocation{std::move(f[0]), std::move(f[1]), std::move(f[2]),
                                          std::move(f[3]), std::move(f[4]), std::move(f[5]),
                                          std::move(f[6]), std::move(f[7])});
            for (auto& waiter : std::exchange(next_waiters_, {})) {
              asio::post(io_, std::move(waiter));
            }
          } else if (frame->type == FrameType::kShutdown) {
            KillBootstrap();
            Stop(0);
            co_return;
          }
        }
        if (bad) {
          open = false;
          break;
        }
        if (static_cast<size_t>(got) < sizeof buf) break;  // drained
      }
    }
    KillBootstrap();
    Stop(0);
  }

  // --- the runtime's process ----------------------------------------------------------------
  bool StartBootstrap() {
    // stdout and stderr share one pipe, as on AWS: lines reach the log in the order written.
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0) {
      Die(std::string("pipe: ") + std::strerror(errno));
      return false;
    }
    std::vector<char*> argv;
    for (const std::string& a : options_.bootstrap) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    SpawnArgs args{argv.data(), environ, out[1], 0, {}};
    pid_t pid = SpawnRuntime(args);
    ::close(out[1]);
    if (pid < 0) {
      ::close(out[0]);
      Die(std::string("clone: ") + std::strerror(errno));
      return false;
    }
    bootstrap_pid_ = pid;
    open_pipes_ = 1;
    asio::co_spawn(io_, Capture(out[0], "1"), asio::detached);
    // A failed exec leaves a child that exits 127; its exit is reported after the reason.
    if (args.exec_errno != 0) ReportInvalidEntrypoint(args.exec_errno);
    return true;
  }

  // The bootstrap could not be executed (missing, not executable, bad interpreter): AWS's
  // Runtime.InvalidEntrypoint, worded as its init reports it. The child's exit follows.
  void ReportInvalidEntrypoint(int error) {
    const std::string& path = options_.bootstrap.front();
    std::string message;
    if (error == ENOENT) {
      message = "Couldn't find valid bootstrap(s): [" + path + "]";
    } else {
      std::string reason = std::strerror(error);
      if (!reason.empty()) reason[0] = static_cast<char>(std::tolower(reason[0]));
      message = "fork/exec " + path + ": " + reason;
    }
    EmitLog("2", "Error: " + message + " Runtime.InvalidEntrypoint");
    Send(FrameType::kInitError, {"Runtime.InvalidEntrypoint", message, "platform"});
  }

  void KillBootstrap() {
    if (bootstrap_pid_ > 0) ::kill(bootstrap_pid_, SIGKILL);
  }

  // Relays each line the runtime writes as a log frame with its arrival time.
  asio::awaitable<void> Capture(int fd, std::string stream) {
    asio::posix::stream_descriptor pipe(io_, fd);
    std::string pending;
    char buf[16384];
    for (;;) {
      boost::system::error_code ec;
      size_t n = co_await pipe.async_read_some(asio::buffer(buf),
                                               asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;
      pending.append(buf, n);
      size_t start = 0;
      for (;;) {
        size_t nl = pending.find('\n', start);
        if (nl == std::string::npos) break;
        EmitLog(stream, std::string_view(pending).substr(start, nl - start));
        start = nl + 1;
      }
      pending.erase(0, start);
      while (pending.size() >= kMaxLogLine) {
        EmitLog(stream, std::string_view(pending).substr(0, kMaxLogLine));
        pending.erase(0, kMaxLogLine);
      }
    }
    if (!pending.empty()) EmitLog(stream, pending);
    if (--open_pipes_ == 0 && bootstrap_status_) ReportExit();
  }

  void EmitLog(const std::string& stream, std::string_view line) {
    Send(FrameType::kLog, {stream, std::to_string(NowMillis()), line});
  }

  // PID 1 reaps every orphan in the sandbox, not just the runtime.
  void WatchChildren() {
    signals_.async_wait([this](const boost::system::error_code& ec, int) {
      if (ec) return;
      int status = 0;
      pid_t pid;
      while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
        if (pid == bootstrap_pid_) {
          bootstrap_status_ = status;
          bootstrap_pid_ = -1;
          // Output still in the pipes is relayed first; the exit report follows it.
          if (open_pipes_ == 0) ReportExit();
        }
      }
      WatchChildren();
    });
  }

  void ReportExit() {
    if (exit_reported_) return;
    exit_reported_ = true;
    int s = *bootstrap_status_;
    std::string how = WIFSIGNALED(s) ? "signal " + std::to_string(WTERMSIG(s))
                                     : "exit " + std::to_string(WEXITSTATUS(s));
    Send(FrameType::kExit, {how});
    Stop(0);
  }

  void Stop(int code) {
    exit_code_ = code;
    io_.stop();
  }

  // --- the Runtime API ----------------------------------------------------------------------
  asio::awaitable<void> Accept() {
    for (;;) {
      boost::system::error_code ec;
      tcp::socket socket =
          co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      socket.set_option(tcp::no_delay(true), ec);
      asio::co_spawn(io_, Serve(std::move(socket)), asio::detached);
    }
  }

  using Response = bhttp::response<bhttp::string_body>;

  static Response Json(unsigned status, std::string body) {
    Response r{static_cast<bhttp::status>(status), 11};
    r.set(bhttp::field::content_type, "application/json");
    r.body() = std::move(body);
    return r;
  }

  static Response ErrorJson(unsigned status, const std::string& type, const std::string& message) {
    return Json(status, ErrorBody(type, message));
  }

  // Completes when the daemon sends an invocation (every waiting /next wakes; one takes it). (A
  // handler kept for the next frame, not a timer: a timer costs system calls on every invocation.)
  asio::awaitable<void> NextArrival() {
    auto initiate = [this](auto completion) {
      auto shared = std::make_shared<decltype(completion)>(std::move(completion));
      next_waiters_.push_back([shared] { (*shared)(); });
    };
    co_await asio::async_initiate<decltype(asio::use_awaitable), void()>(initiate,
                                                                         asio::use_awaitable);
  }

  asio::awaitable<Response> Next() {
    // Every /next tells the daemon the runtime is free (the first one ends the init phase),
    // unless the answer before it already said so.
    ready_sent_ = true;
    if (!ready_announced_) Send(FrameType::kReady, {});
    ready_announced_ = false;
    while (pending_.empty()) co_await NextArrival();
    current_ = std::move(pending_.front());
    pending_.pop_front();
    Response r = Json(200, current_->payload);
    r.set("Lambda-Runtime-Aws-Request-Id", current_->id);
    r.set("Lambda-Runtime-Deadline-Ms", current_->deadline_ms);
    r.set("Lambda-Runtime-Invoked-Function-Arn", current_->arn);
    r.set("Lambda-Runtime-Trace-Id", current_->trace_id);
    if (!current_->client_context.empty()) {
      r.set("Lambda-Runtime-Client-Context", current_->client_context);
    }
    if (!current_->identity.empty()) r.set("Lambda-Runtime-Cognito-Identity", current_->identity);
    if (!current_->tenant_id.empty()) r.set("Lambda-Runtime-Aws-Tenant-Id", current_->tenant_id);
    co_return r;
  }

  // Checks that `id` names the invocation in progress and that it is still unanswered.
  std::optional<Response> CheckAnswerable(const std::string& id) {
    if (!current_ || current_->id != id) {
      return ErrorJson(400, "InvalidRequestID", "Invalid request ID");
    }
    if (current_->answered) {
      return ErrorJson(403, "InvalidStateTransition",
                       "State transition from ResponseSent to ResponseSent failed for runtime. "
                       "Error: State transition is not allowed");
    }
    return std::nullopt;
  }

  // `next_queued`: the runtime's GET /next already waits behind this answer (it pipelines), so
  // the answer's frame says the runtime is free again and /next sends no READY of its own: one
  // frame and one wake-up of the daemon fewer per invocation.
  Response Answer(const std::string& id, bool is_error, const std::string& error_type,
                  const std::string& body, bool too_large, bool next_queued) {
    if (auto rejected = CheckAnswerable(id)) return *rejected;
    current_->answered = true;
    if (too_large) {
      Send(FrameType::kError,
           {id, "Function.ResponseSizeTooLarge",
            "{\"errorMessage\":\"Response payload size exceeded maximum allowed payload size "
            "(6291556 bytes).\",\"errorType\":\"Function.ResponseSizeTooLarge\"}"});
      return ErrorJson(413, "RequestEntityTooLarge",
                       "Exceeded maximum allowed payload size (6291556 bytes).");
    }
    ready_announced_ = next_queued;
    std::string_view ready = next_queued ? "ready" : "";
    if (is_error) {
      Send(FrameType::kError, {id, error_type.empty() ? "Unhandled" : error_type, body, ready});
    } else {
      Send(FrameType::kResponse, {id, body, ready});
    }
    return Json(202, "{\"status\":\"OK\"}");
  }

  // Whether a whole GET /next request is already buffered behind the one just read.
  static bool NextQueued(const beast::flat_buffer& buffer) {
    auto data = buffer.data();
    std::string_view bytes(static_cast<const char*>(data.data()), data.size());
    constexpr std::string_view kNext = "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\n";
    return bytes.substr(0, kNext.size()) == kNext && bytes.find("\r\n\r\n") != bytes.npos;
  }

  asio::awaitable<void> Serve(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    for (;;) {
      bhttp::request_parser<bhttp::string_body> parser;
      parser.body_limit(kMaxResponseBytes);
      boost::system::error_code ec;
      co_await bhttp::async_read(stream, buffer, parser,
                                 asio::redirect_error(asio::use_awaitable, ec));
      bool too_large = ec == bhttp::error::body_limit;
      if (ec && !too_large) co_return;
      auto& request = parser.get();
      std::string_view target(request.target().data(), request.target().size());
      std::string_view method(request.method_string().data(), request.method_string().size());
      Response response;
      constexpr std::string_view kInvocation = "/2018-06-01/runtime/invocation/";
      if (method == "GET" && target == "/2018-06-01/runtime/invocation/next") {
        response = co_await Next();
      } else if (method == "POST" && target.substr(0, kInvocation.size()) == kInvocation) {
        std::string_view rest = target.substr(kInvocation.size());
        size_t slash = rest.find('/');
        std::string id(rest.substr(0, slash));
        std::string_view action = slash == std::string_view::npos ? "" : rest.substr(slash + 1);
        if (action == "response") {
          response = Answer(id, false, "", request.body(), too_large, NextQueued(buffer));
        } else if (action == "error") {
          auto type = request.find("Lambda-Runtime-Function-Error-Type");
          response = Answer(id, true, type == request.end() ? "" : std::string(type->value()),
                            request.body(), false, NextQueued(buffer));
        } else {
          response = ErrorJson(404, "NotFound", "Not found");
        }
      } else if (method == "POST" && target == "/2018-06-01/runtime/init/error") {
        if (ready_sent_) {
          response = ErrorJson(403, "InvalidStateTransition",
                               "State transition from Ready to InitError failed for runtime. "
                               "Error: State transition is not allowed");
        } else {
          auto type = request.find("Lambda-Runtime-Function-Error-Type");
          Send(FrameType::kInitError,
               {type == request.end() ? "Runtime.Unknown" : std::string(type->value()),
                request.body()});
          response = Json(202, "{\"status\":\"OK\"}");
        }
      } else if (method == "GET" && target == "/2018-06-01/ping") {
        response = Json(200, "pong");
      } else {
        response = ErrorJson(404, "NotFound", "Not found");
      }
      response.keep_alive(request.keep_alive() && !too_large);
      response.prepare_payload();
      co_await bhttp::async_write(stream, response, asio::redirect_error(asio::use_awaitable, ec));
      if (ec || too_large || !request.keep_alive()) co_return;
    }
  }

  const InitOptions& options_;
  asio::io_context io_{1};
  asio::posix::stream_descriptor daemon_;
  tcp::acceptor acceptor_;
  std::vector<std::function<void()>> next_waiters_;  // resume the /next calls waiting for one
  asio::signal_set signals_;
  std::deque<Invocation> pending_;
  std::optional<Invocation> current_;
  bool ready_sent_ = false;
  bool ready_announced_ = false;  // the last answer told the daemon the runtime is free
  pid_t bootstrap_pid_ = -1;
  std::optional<int> bootstrap_status_;
  int open_pipes_ = 0;
  bool exit_reported_ = false;
  int exit_code_ = 0;
};

}  // namespace

int RunInitServer(const InitOptions& options) { return InitServer(options).Run(); }

}  // namespace lamina::init
