#include "init/init_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <deque>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/fd.h"
#include "init/runtime_connection.h"
#include "sandbox/fd_passing.h"
#include "sandbox/frame.h"

namespace lamina::init {
namespace {

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
// every cold start): lamina-init installs no signal handler (SIGCHLD is read from a signalfd),
// so there is none to reset; the child only sets its signal mask.
struct SpawnArgs {
  char* const* argv;
  char* const* envp;
  int out_fd;      // becomes the runtime's stdout and stderr; stdin is /dev/null
  int exec_errno;  // set by the child when its exec failed (it then exits 127)
  sigset_t mask;   // the runtime's signal mask, set in the child just before the exec
};

int RuntimeChild(void* p) {
  auto* a = static_cast<SpawnArgs*>(p);
  int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null >= 0) ::dup2(null, 0);
  ::dup2(a->out_fd, 1);
  ::dup2(a->out_fd, 2);
  ::sigprocmask(SIG_SETMASK, &a->mask, nullptr);
  ::execve(a->argv[0], a->argv, a->envp);
  a->exec_errno = errno;
  ::_exit(127);
}

pid_t SpawnRuntime(SpawnArgs& args) {
  constexpr size_t kStackBytes = 64 * 1024;
  std::unique_ptr<char[]> stack(new char[kStackBytes]);
  return ::clone(RuntimeChild, stack.get() + kStackBytes, CLONE_VM | CLONE_VFORK | SIGCHLD, &args);
}

class InitServer {
 public:
  explicit InitServer(const InitOptions& o) : options_(o) {}

  int Run() {
    if (!Listen()) return 1;
    // SIGCHLD is read from a signalfd; the runtime starts with the mask we had before.
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    ::sigprocmask(SIG_BLOCK, &chld, &child_mask_);
    signals_ = Fd(::signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC));
    epoll_ = Fd(::epoll_create1(EPOLL_CLOEXEC));
    if (!signals_ || !epoll_) return Die(std::string("epoll: ") + std::strerror(errno));
    Watch(options_.daemon_fd, EPOLLIN);
    Watch(listener_.get(), EPOLLIN);
    if (endpoint_) Watch(endpoint_.get(), EPOLLIN);
    Watch(signals_.get(), EPOLLIN);
    if (!StartBootstrap()) return 1;
    epoll_event events[16];
    while (running_) {
      int n = ::epoll_wait(epoll_.get(), events, 16, -1);
      for (int i = 0; i < n && running_; ++i) Dispatch(events[i]);
    }
    return 0;
  }

 private:
  void Watch(int fd, uint32_t events) {
    epoll_event ev{};
    ev.events = events;
    ev.data.fd = fd;
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev);
  }

  void Dispatch(const epoll_event& ev) {
    int fd = ev.data.fd;
    if (fd == options_.daemon_fd) {
      ReadDaemon();
    } else if (fd == listener_.get()) {
      Accept();
    } else if (fd == endpoint_.get()) {
      Relay();
    } else if (fd == signals_.get()) {
      Reap();
    } else if (fd == log_pipe_.get()) {
      Capture();
    } else if (auto it = connections_.find(fd); it != connections_.end()) {
      RuntimeConnection& c = *it->second;
      if (ev.events & EPOLLOUT) Flush(c);
      if (connections_.count(fd) && (ev.events & (EPOLLIN | EPOLLHUP | EPOLLERR))) Read(c);
    }
  }

  // --- the daemon side --------------------------------------------------------------------
  void Send(FrameType type, const std::vector<std::string_view>& fields) {
    std::string frame;
    sandbox::AppendFrame(type, fields, frame);
    size_t sent = 0;
    while (sent < frame.size()) {
      ssize_t n =
          ::send(options_.daemon_fd, frame.data() + sent, frame.size() - sent, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) {
        pollfd p{options_.daemon_fd, POLLOUT, 0};
        ::poll(&p, 1, -1);
        continue;
      }
      if (n < 0) return Stop();  // the daemon is gone: nothing left to serve
      sent += static_cast<size_t>(n);
    }
  }

  int Die(const std::string& message) {
    Send(FrameType::kInitError, {"Sandbox.Failure", message, "platform"});
    return 1;
  }

  void ReadDaemon() {
    char buf[65536];
    ssize_t got = ::recv(options_.daemon_fd, buf, sizeof buf, MSG_DONTWAIT);
    if (got < 0 && (errno == EINTR || errno == EAGAIN)) return;
    bool bad = got <= 0;
    if (!bad) daemon_frames_.Feed(buf, static_cast<size_t>(got));
    while (!bad) {
      std::optional<sandbox::Frame> frame = daemon_frames_.Next(bad);
      if (!frame) break;
      if (frame->type == FrameType::kInvoke && frame->fields.size() == 8) {
        auto& f = frame->fields;
        pending_.push_back(Invocation{std::move(f[0]), std::move(f[1]), std::move(f[2]),
                                      std::move(f[3]), std::move(f[4]), std::move(f[5]),
                                      std::move(f[6]), std::move(f[7])});
        ServeWaiting();
      } else if (frame->type == FrameType::kShutdown) {
        bad = true;
      }
    }
    if (bad) {  // shut down, gone, or speaking nonsense: the sandbox ends
      KillBootstrap();
      Stop();
    }
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
    SpawnArgs args{argv.data(), environ, out[1], 0, child_mask_};
    pid_t pid = SpawnRuntime(args);
    ::close(out[1]);
    log_pipe_ = Fd(out[0]);
    if (pid < 0) {
      Die(std::string("clone: ") + std::strerror(errno));
      return false;
    }
    bootstrap_pid_ = pid;
    ::fcntl(log_pipe_.get(), F_SETFL, O_NONBLOCK);
    Watch(log_pipe_.get(), EPOLLIN);
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

  // Relays each line the runtime writes as a log frame with its arrival time. Returns whether it
  // read anything.
  bool Capture() {
    char buf[16384];
    ssize_t n = ::read(log_pipe_.get(), buf, sizeof buf);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return false;
    if (n > 0) {
      log_pending_.append(buf, static_cast<size_t>(n));
      size_t start = 0;
      for (;;) {
        size_t nl = log_pending_.find('\n', start);
        if (nl == std::string::npos) break;
        EmitLog("1", std::string_view(log_pending_).substr(start, nl - start));
        start = nl + 1;
      }
      log_pending_.erase(0, start);
      while (log_pending_.size() >= kMaxLogLine) {
        EmitLog("1", std::string_view(log_pending_).substr(0, kMaxLogLine));
        log_pending_.erase(0, kMaxLogLine);
      }
      return true;
    }
    // Every writer closed the pipe: what is left is the last line.
    if (!log_pending_.empty()) EmitLog("1", log_pending_);
    log_pending_.clear();
    log_pipe_.Reset();  // also leaves the epoll set
    if (bootstrap_status_) ReportExit();
    return false;
  }

  // Relays what the runtime wrote before this moment: an answer's frame must follow the output
  // printed before it, or those lines would land in the next invocation's log.
  void DrainOutput() {
    while (log_pipe_ && Capture()) {
    }
  }

  void EmitLog(std::string_view stream, std::string_view line) {
    Send(FrameType::kLog, {stream, std::to_string(NowMillis()), line});
  }

  // PID 1 reaps every orphan in the sandbox, not just the runtime.
  void Reap() {
    signalfd_siginfo info[8];
    while (::read(signals_.get(), info, sizeof info) > 0) {
    }
    int status = 0;
    pid_t pid;
    while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
      if (pid == bootstrap_pid_) {
        bootstrap_status_ = status;
        bootstrap_pid_ = -1;
        // Output still in the pipe is relayed first; the exit report follows it.
        if (!log_pipe_) ReportExit();
      }
    }
  }

  void ReportExit() {
    if (exit_reported_) return;
    exit_reported_ = true;
    int s = *bootstrap_status_;
    std::string how = WIFSIGNALED(s) ? "signal " + std::to_string(WTERMSIG(s))
                                     : "exit " + std::to_string(WEXITSTATUS(s));
    Send(FrameType::kExit, {how});
    Stop();
  }

  void Stop() { running_ = false; }

  // --- the Runtime API ----------------------------------------------------------------------
  bool Listen() {
    listener_ = ListenTcp(options_.port);
    if (!listener_) {
      Die(std::string("Runtime API cannot listen: ") + std::strerror(errno));
      return false;
    }
    if (options_.endpoint_port != 0) {
      endpoint_ = ListenTcp(options_.endpoint_port);
      if (!endpoint_) {
        Die(std::string("the AWS endpoint cannot listen: ") + std::strerror(errno));
        return false;
      }
    }
    return true;
  }

  Fd ListenTcp(uint16_t port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    int one = 1;
    Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    bool ok = fd && ::inet_pton(AF_INET, options_.address.c_str(), &address.sin_addr) == 1 &&
              ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0 &&
              ::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
              ::listen(fd.get(), 64) == 0;
    return ok ? std::move(fd) : Fd();
  }

  // The platform's AWS endpoint: each connection goes to the daemon whole, which serves it as
  // this environment's (so it knows the calling function), as if it had accepted it itself.
  void Relay() {
    for (;;) {
      Fd socket(::accept4(endpoint_.get(), nullptr, nullptr, SOCK_CLOEXEC));
      if (!socket) return;
      std::string frame;
      sandbox::AppendFrame(FrameType::kRelay, {}, frame);
      if (!sandbox::SendWithDescriptor(options_.daemon_fd, frame, socket.get()).ok()) {
        return Stop();  // the daemon is gone
      }
    }
  }

  void Accept() {
    Fd socket(::accept4(listener_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (!socket) return;
    int one = 1;
    ::setsockopt(socket.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    int fd = socket.get();
    auto c = std::make_unique<RuntimeConnection>(std::move(socket), kMaxResponseBytes);
    c->events = EPOLLIN;
    Watch(fd, EPOLLIN);
    connections_.emplace(fd, std::move(c));
  }

  void Read(RuntimeConnection& c) {
    int fd = c.fd();
    bool open = c.Receive();
    if (c.draining) {
      if (!open) Close(c);
      return;
    }
    Serve(c);  // may close c
    // A peer that closed gets no more answers: what it sent before closing was still served (an
    // answer posted just before the runtime exits counts), a /next it left waiting is dropped.
    if (auto it = connections_.find(fd); !open && it != connections_.end()) Close(*it->second);
  }

  // Answers the requests buffered on `c`, in order, until one must wait (a /next with no
  // invocation yet), then writes the answers. Answers that precede a waiting /next are held
  // back and go out with its answer: a runtime that pipelines reads them in order anyway, and
  // it then wakes once per invocation instead of twice. May close (and free) `c`.
  void Serve(RuntimeConnection& c) {
    RuntimeRequest request;
    while (!c.waiting_next && !c.closing) {
      RuntimeConnection::Parsed parsed = c.Next(request);
      if (parsed == RuntimeConnection::Parsed::kNeedMore) break;
      if (parsed == RuntimeConnection::Parsed::kBad) break;
      Handle(c, request, parsed == RuntimeConnection::Parsed::kTooLarge);
    }
    if (!c.waiting_next) Flush(c);
  }

  void Flush(RuntimeConnection& c) {
    if (!c.Flush()) return Close(c);
    if (!c.HasOutput() && c.closing && !c.draining) {
      ::shutdown(c.fd(), SHUT_WR);  // then discard what the peer still sends until it closes
      c.draining = true;
    }
    uint32_t want = c.HasOutput() ? EPOLLIN | EPOLLOUT : EPOLLIN;
    if (want != c.events) {
      epoll_event ev{};
      ev.events = want;
      ev.data.fd = c.fd();
      ::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, c.fd(), &ev);
      c.events = want;
    }
  }

  void Close(RuntimeConnection& c) {
    std::erase(waiting_, &c);
    connections_.erase(c.fd());  // closing the socket takes it out of the epoll set
  }

  void Handle(RuntimeConnection& c, const RuntimeRequest& request, bool too_large) {
    std::string_view target(request.target().data(), request.target().size());
    std::string_view method(request.method_string().data(), request.method_string().size());
    bool keep_alive = request.keep_alive() && !too_large;
    constexpr std::string_view kInvocation = "/2018-06-01/runtime/invocation/";
    unsigned status = 404;
    std::string body;
    if (method == "GET" && target == "/2018-06-01/runtime/invocation/next") {
      // Every /next tells the daemon the runtime is free (the first one ends the init phase),
      // unless the answer before it already said so.
      ready_sent_ = true;
      if (!ready_announced_) Send(FrameType::kReady, {});
      ready_announced_ = false;
      c.next_keep_alive = keep_alive;
      if (!pending_.empty() && waiting_.empty()) return GiveInvocation(c);
      c.waiting_next = true;
      waiting_.push_back(&c);
      return;
    }
    if (method == "POST" && target.substr(0, kInvocation.size()) == kInvocation) {
      std::string_view rest = target.substr(kInvocation.size());
      size_t slash = rest.find('/');
      std::string id(rest.substr(0, slash));
      std::string_view action = slash == std::string_view::npos ? "" : rest.substr(slash + 1);
      if (action == "response" || action == "error") {
        auto type = request.find("Lambda-Runtime-Function-Error-Type");
        std::string error_type = type == request.end() ? "" : std::string(type->value());
        std::tie(status, body) = Answer(id, action == "error", error_type, request.body(),
                                        too_large && action == "response", c.NextQueued());
      } else {
        body = ErrorBody("NotFound", "Not found");
      }
    } else if (method == "POST" && target == "/2018-06-01/runtime/init/error") {
      if (ready_sent_) {
        status = 403;
        body = ErrorBody("InvalidStateTransition",
                         "State transition from Ready to InitError failed for runtime. "
                         "Error: State transition is not allowed");
      } else {
        auto type = request.find("Lambda-Runtime-Function-Error-Type");
        Send(FrameType::kInitError,
             {type == request.end() ? "Runtime.Unknown" : std::string(type->value()),
              request.body()});
        status = 202;
        body = kAccepted;
      }
    } else if (method == "GET" && target == "/2018-06-01/ping") {
      status = 200;
      body = "pong";
    } else {
      body = ErrorBody("NotFound", "Not found");
    }
    c.Queue(status, "", body, keep_alive);
    if (!keep_alive) c.closing = true;
  }

  // Gives pending invocations to the /next requests waiting for one, oldest first.
  void ServeWaiting() {
    while (!pending_.empty() && !waiting_.empty()) {
      RuntimeConnection& c = *waiting_.front();
      waiting_.pop_front();
      c.waiting_next = false;
      GiveInvocation(c);
      Serve(c);  // what the runtime pipelined behind its /next, then the write
    }
  }

  // Answers c's /next with the oldest pending invocation, which becomes the current one.
  void GiveInvocation(RuntimeConnection& c) {
    current_ = std::move(pending_.front());
    pending_.pop_front();
    std::string headers;
    auto header = [&headers](std::string_view name, const std::string& value) {
      if (value.empty()) return;
      headers.append(name).append(": ").append(value).append("\r\n");
    };
    header("Lambda-Runtime-Aws-Request-Id", current_->id);
    header("Lambda-Runtime-Deadline-Ms", current_->deadline_ms);
    header("Lambda-Runtime-Invoked-Function-Arn", current_->arn);
    header("Lambda-Runtime-Trace-Id", current_->trace_id);
    header("Lambda-Runtime-Client-Context", current_->client_context);
    header("Lambda-Runtime-Cognito-Identity", current_->identity);
    header("Lambda-Runtime-Aws-Tenant-Id", current_->tenant_id);
    c.Queue(200, headers, current_->payload, c.next_keep_alive);
    if (!c.next_keep_alive) c.closing = true;
  }

  // Hands the runtime's answer for invocation `id` to the daemon; returns the HTTP answer.
  // `next_queued`: the runtime's GET /next already waits behind this answer (it pipelines), so
  // the answer's frame says the runtime is free again and /next sends no READY of its own: one
  // frame and one wake-up of the daemon fewer per invocation.
  std::pair<unsigned, std::string> Answer(const std::string& id, bool is_error,
                                          const std::string& error_type, const std::string& body,
                                          bool too_large, bool next_queued) {
    if (!current_ || current_->id != id) {
      return {400, ErrorBody("InvalidRequestID", "Invalid request ID")};
    }
    if (current_->answered) {
      return {403, ErrorBody("InvalidStateTransition",
                             "State transition from ResponseSent to ResponseSent failed for "
                             "runtime. Error: State transition is not allowed")};
    }
    current_->answered = true;
    DrainOutput();
    if (too_large) {
      Send(FrameType::kError,
           {id, "Function.ResponseSizeTooLarge",
            "{\"errorMessage\":\"Response payload size exceeded maximum allowed payload size "
            "(6291556 bytes).\",\"errorType\":\"Function.ResponseSizeTooLarge\"}"});
      return {413, ErrorBody("RequestEntityTooLarge",
                             "Exceeded maximum allowed payload size (6291556 bytes).")};
    }
    ready_announced_ = next_queued;
    std::string_view ready = next_queued ? "ready" : "";
    if (is_error) {
      Send(FrameType::kError, {id, error_type.empty() ? "Unhandled" : error_type, body, ready});
    } else {
      Send(FrameType::kResponse, {id, body, ready});
    }
    return {202, kAccepted};
  }

  static constexpr const char* kAccepted = "{\"status\":\"OK\"}";

  const InitOptions& options_;
  bool running_ = true;
  Fd epoll_;
  Fd listener_;
  Fd endpoint_;  // the AWS endpoint's listener
  Fd signals_;
  Fd log_pipe_;
  std::string log_pending_;  // the runtime's output after its last complete line
  sigset_t child_mask_{};
  sandbox::FrameDecoder daemon_frames_;
  std::unordered_map<int, std::unique_ptr<RuntimeConnection>> connections_;
  std::deque<RuntimeConnection*> waiting_;  // connections whose GET /next waits, oldest first
  std::deque<Invocation> pending_;
  std::optional<Invocation> current_;
  bool ready_sent_ = false;
  bool ready_announced_ = false;  // the last answer told the daemon the runtime is free
  pid_t bootstrap_pid_ = -1;
  std::optional<int> bootstrap_status_;
  bool exit_reported_ = false;
};

}  // namespace

int RunInitServer(const InitOptions& options) { return InitServer(options).Run(); }

}  // namespace lamina::init
