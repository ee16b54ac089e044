#include "scheduler/environment.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <boost/asio/buffer.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/crypto.h"
#include "common/log.h"
#include "common/time_format.h"
#include "common/trace_id.h"
#include "sandbox/fd_passing.h"
#include "scheduler/runtime_command.h"

namespace lamina::scheduler {
namespace {

namespace asio = boost::asio;
using sandbox::FrameType;
using Clock = std::chrono::steady_clock;

// The init phase may take this long, whatever the function's timeout (as on AWS).
constexpr auto kInitTimeout = std::chrono::seconds(10);

double MillisSince(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

std::string ErrorObject(const std::string& type, const std::string& message) {
  return nlohmann::json{{"errorType", type}, {"errorMessage", message}}.dump();
}

std::string TimeoutText(double seconds) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "Task timed out after %.2f seconds", seconds);
  return buf;
}

// An X-Ray trace header as Lambda passes it: Root=1-<epoch seconds, 8 hex>-<96 random bits>.

}  // namespace

Environment::Environment(asio::io_context& io, FunctionSpec spec, uint32_t uid, Relay relay)
    : io_(io), spec_(std::move(spec)), uid_(uid), relay_(std::move(relay)), deadline_(io) {
  // AWS's stream names: date, version, and 32 hex digits unique to the environment.
  std::string day = FormatIso8601Seconds(NowMillis()).substr(0, 10);
  for (char& c : day) {
    if (c == '-') c = '/';
  }
  log_stream_ = day + "/[" + spec_.version + "]" + HexEncode(UniqueBytes(16));
}

Environment::~Environment() {
  if (auto cleanup = TakeCleanup()) cleanup();
}

std::function<void()> Environment::TakeCleanup() {
  deadline_.cancel();  // nothing of a stopped environment may stay pending on the loop
  if (socket_) {
    boost::system::error_code ignored;
    socket_->close(ignored);
  }
  if (!process_ && !cgroup_) return nullptr;
  std::shared_ptr<sandbox::SandboxProcess> process(std::move(process_));
  std::shared_ptr<sandbox::Cgroup> cgroup(std::move(cgroup_));
  std::shared_ptr<sandbox::OutboundNetwork> network(std::move(network_));
  return [process, cgroup, network]() mutable {
    network.reset();
    process.reset();  // kill and reap PID 1, which takes the pid namespace with it
    cgroup.reset();   // then kill stragglers and remove the groups
  };
}

void Environment::StartAndInvoke(StatusOr<BlankSandbox> blank, InvocationRequest request, Done done,
                                 bool invoke_phase_init) {
  request_ = std::move(request);
  done_ = std::move(done);
  invoke_phase_init_ = invoke_phase_init;
  Start(std::move(blank));
}

void Environment::Provision(StatusOr<BlankSandbox> blank, std::function<void()> ready) {
  provisioned_ = true;
  on_provisioned_ = std::move(ready);
  Start(std::move(blank));
}

void Environment::Start(StatusOr<BlankSandbox> blank) {
  spawned_ = Clock::now();
  spawned_ms_ = NowMillis();
  // An init inside the invocation is not a separate phase: no INIT_START, no Init Duration.
  result_.cold_start = !invoke_phase_init_ && !provisioned_;
  result_.init_start_ms = spawned_ms_;
  if (invoke_phase_init_) {
    // The invocation started when this environment did: its init is part of Duration.
    started_ = spawned_;
    result_.start_ms = spawned_ms_;
  }
  if (!blank.ok()) return Die(blank.status().message());
  cgroup_ = std::move(blank->cgroup);
  process_ = std::move(blank->process);
  network_ = std::move(blank->network);
  // A spare was spawned niced, as background work: the function runs at normal priority.
  ::setpriority(PRIO_PROCESS, static_cast<id_t>(process_->pid()), 0);
  socket_ = std::make_unique<asio::posix::stream_descriptor>(io_, process_->socket().Release());
  if (Status limited = cgroup_->SetLimits({.memory_mb = spec_.memory_mb}); !limited.ok()) {
    return Die("cgroup: " + limited.message());
  }
  // The function's part of the sandbox, and its runtime: lamina-init takes it from here. The
  // code goes as a detached read-only mount: the sandbox no longer sees the host's tree.
  Fd code(::open_tree(AT_FDCWD, spec_.code_dir.c_str(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC));
  struct mount_attr read_only {};
  read_only.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
  if (!code || ::mount_setattr(code.get(), "", AT_EMPTY_PATH, &read_only, sizeof read_only) != 0) {
    return Die("cannot mount the code " + spec_.code_dir + ": " + std::strerror(errno));
  }
  std::vector<std::string> command = BootstrapCommand(spec_);
  std::vector<std::string> environment = RuntimeEnvironment(spec_, log_stream_);
  std::string tmp_mb = std::to_string(spec_.tmp_mb), uid = std::to_string(uid_),
              argc = std::to_string(command.size());
  std::vector<std::string_view> fields = {tmp_mb, uid, uid, "lamina", argc};
  fields.insert(fields.end(), command.begin(), command.end());
  fields.insert(fields.end(), environment.begin(), environment.end());
  std::string frame;
  sandbox::AppendFrame(FrameType::kAssign, fields, frame);
  if (Status sent = sandbox::SendWithDescriptor(socket_->native_handle(), frame, code.get());
      !sent.ok()) {
    return Die("assign the sandbox: " + sent.message());
  }

  auto self = shared_from_this();
  deadline_.expires_after(invoke_phase_init_ ? std::chrono::seconds(spec_.timeout_s)
                                             : kInitTimeout);
  deadline_.async_wait([self](const boost::system::error_code& ec) {
    if (ec || self->ready_ || self->state_ == State::kDead) return;
    if (self->invoke_phase_init_) return self->TimeOut();
    if (!self->request_) return self->Die("the init phase ran out of its 10 s");
    // AWS: an init phase past 10 s is abandoned and retried inside the invocation, whose own
    // timeout then bounds it. The scheduler runs the retry in a new environment.
    self->state_ = State::kDead;
    self->Kill();
    FailedInit failed;
    failed.start_ms = self->spawned_ms_;
    failed.duration_ms = MillisSince(self->spawned_);
    failed.status = "timeout";
    failed.logs = std::move(self->init_logs_);
    self->init_logs_.clear();
    self->result_.failed_inits.push_back(std::move(failed));
    self->result_.retry_request = *self->request_;
    self->result_.retry_with_invoke_phase_init = true;
    self->result_.cold_start = false;
    self->Finish(InvocationResult::Kind::kFunctionError, "Sandbox.Timedout",
                 ErrorObject("Sandbox.Timedout", self->RequestError(TimeoutText(10))));
  });
  Read();
}

void Environment::Invoke(InvocationRequest request, Done done) {
  request_ = std::move(request);
  done_ = std::move(done);
  awaiting_next_ = state_ == State::kFinishing;
  Dispatch();
}

void Environment::Send(FrameType type, const std::vector<std::string_view>& fields) {
  std::string frame;
  sandbox::AppendFrame(type, fields, frame);
  boost::system::error_code ec;
  // Frames are written whole; lamina-init reads its socket promptly, even mid-invocation.
  asio::write(*socket_, asio::buffer(frame), ec);
  if (ec) Die("write to lamina-init: " + ec.message());
}

void Environment::Read() {
  // Wait for readability, then read what is there: an async read would first try a read that
  // fails with EAGAIN after every frame (Boost 1.74 reads speculatively), one system call wasted
  // per frame on the hottest path. The loop is single-threaded, so data arriving between the
  // short read and the wait still wakes it.
  auto self = shared_from_this();
  socket_->async_wait(asio::posix::stream_descriptor::wait_read,
                      [self](const boost::system::error_code& ec) {
                        if (ec) return self->Die("lamina-init closed its socket");
                        for (;;) {
                          ssize_t got = self->Receive();
                          if (got < 0 && errno == EINTR) continue;
                          if (got < 0 && errno == EAGAIN) break;
                          if (got <= 0) return self->Die("lamina-init closed its socket");
                          auto n = static_cast<size_t>(got);
                          self->decoder_.Feed(self->read_buffer_, n);
                          bool bad = false;
                          while (auto frame = self->decoder_.Next(bad)) {
                            self->OnFrame(*frame);
                            if (self->state_ == State::kDead) return;
                          }
                          if (bad) return self->Die("malformed frame from lamina-init");
                          if (n < sizeof self->read_buffer_) break;  // drained
                        }
                        self->Read();
                      });
}

// recv, keeping the descriptors that come along (kRelay's sockets; the kernel returns them with
// the first byte of the frame they travel with, so they queue in frame order).
ssize_t Environment::Receive() {
  iovec iov{read_buffer_, sizeof read_buffer_};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(4 * sizeof(int))];
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t got = ::recvmsg(socket_->native_handle(), &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
  if (got <= 0 || msg.msg_controllen == 0) return got;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count; ++i) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
      relayed_.emplace_back(fd);
    }
  }
  return got;
}

void Environment::OnFrame(sandbox::Frame& frame) {
  auto& f = frame.fields;
  switch (frame.type) {
    case FrameType::kReady:
      // The runtime asked for its next event: the first time, init is done; later, the previous
      // invocation is over for the runtime too, and the environment is free again.
      if (ready_) return CameBack();
      ready_ = true;
      deadline_.cancel();
      if (!invoke_phase_init_ && !provisioned_) result_.init_duration_ms = MillisSince(spawned_);
      if (request_) return Dispatch();
      // Provisioned ahead of any invocation: ready and waiting.
      state_ = State::kIdle;
      idle_since_ = Clock::now();
      if (on_provisioned_) std::exchange(on_provisioned_, nullptr)();
      return;
    case FrameType::kInitError:
      if (f.size() == 2 || f.size() == 3) {
        init_error_type_ = f[0];
        init_error_ = f[1];
        init_error_is_platform_ = f.size() == 3 && f[2] == "platform";
      }
      return;
    case FrameType::kLog:
      if (f.size() == 3) {
        LogLine line{std::strtoll(f[1].c_str(), nullptr, 10), std::move(f[2])};
        // An init inside the invocation logs after START, like the handler.
        bool invocation = state_ == State::kBusy || (invoke_phase_init_ && done_);
        size_t& held = invocation ? invocation_log_bytes_ : idle_log_bytes_;
        if (held + line.message.size() > kMaxHeldLogBytes) {
          dropped_log_bytes_ += line.message.size();
          return;
        }
        held += line.message.size();
        (invocation ? result_.logs : init_logs_).push_back(std::move(line));
      }
      return;
    // An answer may say the runtime already asked for its next event (it pipelines): then no
    // READY follows.
    case FrameType::kResponse:
      if ((f.size() == 2 || f.size() == 3) && state_ == State::kBusy &&
          f[0] == request_->request_id) {
        bool back = f.size() == 3 && f[2] == "ready";
        Finish(InvocationResult::Kind::kSuccess, "", std::move(f[1]));
        if (back) CameBack();
      }
      return;
    case FrameType::kError:
      if ((f.size() == 3 || f.size() == 4) && state_ == State::kBusy &&
          f[0] == request_->request_id) {
        bool back = f.size() == 4 && f[3] == "ready";
        Finish(InvocationResult::Kind::kFunctionError, std::move(f[1]), std::move(f[2]));
        if (back) CameBack();
      }
      return;
    case FrameType::kExit:
      if (!f.empty()) exit_how_ = f[0];
      return Die("runtime exited: " + exit_how_);
    case FrameType::kRelay: {
      if (relayed_.empty()) return;  // a frame without its socket: nothing to serve
      Fd socket = std::move(relayed_.front());
      relayed_.pop_front();
      if (relay_ && relay_holds_.use_count() <= kMaxRelayedConnections) {
        relay_(std::move(socket), spec_, relay_holds_);
      }
      return;
    }
    default:
      return;
  }
}

// The runtime asked for its next event after an invocation: the environment is free again (and
// keeps no deadline), unless another invocation was already sent to wait for that ask.
void Environment::CameBack() {
  awaiting_next_ = false;
  if (state_ == State::kFinishing) {
    deadline_.cancel();
    state_ = State::kIdle;
    idle_since_ = Clock::now();
  }
}

void Environment::Dispatch() {
  state_ = State::kBusy;
  if (!invoke_phase_init_ || !first_invocation_) {
    started_ = Clock::now();
    result_.start_ms = NowMillis();
  }
  result_.log_stream = log_stream_;
  result_.timeout_ms = spec_.timeout_s * 1000LL;
  // Lines the runtime printed while initialising belong to the first invocation's init phase;
  // anything printed between invocations to the next one.
  auto& pending = first_invocation_ ? result_.init_logs : result_.logs;
  pending.insert(pending.begin(), std::make_move_iterator(init_logs_.begin()),
                 std::make_move_iterator(init_logs_.end()));
  init_logs_.clear();
  invocation_log_bytes_ = idle_log_bytes_;
  idle_log_bytes_ = 0;
  first_invocation_ = false;
  // With an invoke-phase init the deadline was set when the environment started.
  int64_t deadline_ms = result_.start_ms + spec_.timeout_s * 1000LL;
  const InvocationRequest& r = *request_;
  std::string trace = r.trace_id.empty() ? NewTraceId(result_.start_ms) : r.trace_id;
  std::string deadline = std::to_string(deadline_ms);
  Send(FrameType::kInvoke,
       {r.request_id, deadline, r.invoked_arn, trace, r.client_context, r.identity, "", r.payload});
  if (state_ == State::kDead) return;
  auto self = shared_from_this();
  deadline_.expires_at(started_ + std::chrono::seconds(spec_.timeout_s));
  deadline_.async_wait([self](const boost::system::error_code& ec) {
    if (ec) return;
    if (self->state_ == State::kBusy) return self->TimeOut();
    if (self->state_ == State::kFinishing) {
      // Answered, but the runtime never came back for more within the timeout: not reusable.
      self->state_ = State::kDead;
      self->Kill();
    }
  });
}

// The invocation ran out of time (in its handler, or in an init inside the invocation). A
// timed-out environment is never reused.
void Environment::TimeOut() {
  result_.timed_out = true;
  state_ = State::kDead;
  Kill();
  Finish(InvocationResult::Kind::kFunctionError, "Sandbox.Timedout",
         ErrorObject("Sandbox.Timedout", RequestError(TimeoutText(spec_.timeout_s))));
}

std::string Environment::RequestError(const std::string& message) const {
  return "RequestId: " + (request_ ? request_->request_id : std::string()) + " Error: " + message;
}

void Environment::Finish(InvocationResult::Kind kind, std::string error_type, std::string payload) {
  if (!done_) return;
  // A live environment keeps its deadline until the runtime asks for the next event.
  if (state_ == State::kDead) deadline_.cancel();
  result_.kind = kind;
  result_.error_type = std::move(error_type);
  result_.payload = std::move(payload);
  result_.log_stream = log_stream_;
  result_.timeout_ms = spec_.timeout_s * 1000LL;
  if (result_.start_ms != 0) result_.duration_ms = MillisSince(started_);
  if (cgroup_) result_.max_memory_mb = (cgroup_->PeakMemoryBytes() + (1 << 20) - 1) >> 20;
  if (dropped_log_bytes_ > 0) {
    result_.logs.push_back(
        {NowMillis(), "[lamina] " + std::to_string(dropped_log_bytes_) +
                          " bytes of output were not kept: an environment holds at most " +
                          std::to_string(kMaxHeldLogBytes >> 20) +
                          " MB of log output per invocation"});
    dropped_log_bytes_ = 0;
  }
  invocation_log_bytes_ = 0;
  InvocationResult result = std::move(result_);
  result_ = InvocationResult();
  Done done = std::move(done_);
  done_ = nullptr;
  request_.reset();
  if (state_ != State::kDead) state_ = State::kFinishing;
  done(std::move(result));
}

std::string Environment::ExitMessage() const {
  if (exit_how_.rfind("exit ", 0) == 0) return "exit status " + exit_how_.substr(5);
  if (exit_how_ == "signal 9") return "signal: killed";
  if (exit_how_ == "signal 11") return "signal: segmentation fault";
  if (exit_how_ == "signal 6") return "signal: aborted";
  if (exit_how_.rfind("signal ", 0) == 0) return "signal: " + exit_how_.substr(7);
  return "unknown";
}

void Environment::Die(const std::string& why) {
  if (state_ == State::kDead) return;
  bool was_starting = state_ == State::kStarting;
  state_ = State::kDead;
  log::Debug("environment stopped", {{"function", spec_.name}, {"why", why}});
  if (process_) process_->Kill();
  if (!done_) return;
  if (awaiting_next_) {
    // The runtime ended before it took this request: it was never delivered, so it runs again
    // elsewhere instead of failing with this runtime's exit.
    result_.retry_request = std::move(request_);
    return Finish(InvocationResult::Kind::kPlatformError, "ServiceException",
                  "the execution environment stopped before the request was delivered");
  }
  bool oom = cgroup_ && cgroup_->OomKilled();
  if (was_starting && init_error_.empty() && exit_how_.empty()) {
    return Finish(InvocationResult::Kind::kPlatformError, "ServiceException",
                  "Lamina could not start the execution environment: " + why);
  }
  std::string type, body;
  if (was_starting && !init_error_.empty()) {
    // The runtime reported its own init failure; AWS returns that object as the error.
    type = init_error_type_;
    body = init_error_is_platform_ ? ErrorObject(type, RequestError(init_error_)) : init_error_;
  } else {
    type = oom ? "Runtime.OutOfMemory" : "Runtime.ExitError";
    body = ErrorObject(type, RequestError("Runtime exited with error: " + ExitMessage()));
  }
  result_.environment_failed = true;
  if (was_starting && !invoke_phase_init_) {
    // The init phase failed: the invocation never started. AWS reports the init (INIT_REPORT)
    // and bills the attempt as the invocation's Duration.
    FailedInit failed;
    failed.start_ms = spawned_ms_;
    failed.duration_ms = MillisSince(spawned_);
    failed.status = "error";
    failed.error_type = type;
    failed.logs = std::move(init_logs_);
    init_logs_.clear();
    result_.failed_inits.push_back(std::move(failed));
    result_.cold_start = false;
    started_ = spawned_;
    result_.start_ms = spawned_ms_;
  }
  Finish(InvocationResult::Kind::kFunctionError, std::move(type), std::move(body));
}

void Environment::Kill() {
  if (process_) process_->Kill();
}

}  // namespace lamina::scheduler
