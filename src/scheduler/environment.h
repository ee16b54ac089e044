// One execution environment: a sandbox running one function version's runtime, and the daemon's
// side of its conversation with lamina-init. Lives on the scheduler's event loop and is touched
// only from it. At most one invocation at a time.
#pragma once

// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>.
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "common/fd.h"
#include "common/status.h"
#include "sandbox/cgroup.h"
#include "sandbox/frame.h"
#include "sandbox/sandbox_process.h"
#include "scheduler/blank_sandbox.h"
#include "scheduler/function_spec.h"

namespace lamina::scheduler {

class Environment : public std::enable_shared_from_this<Environment> {
 public:
  // kFinishing: the invocation has its answer, but the runtime has not yet come back for the next
  // event. It may already be given one (queued until it asks); it becomes kIdle when it asks.
  enum class State { kStarting, kIdle, kBusy, kFinishing, kDead };
  using Done = std::function<void(InvocationResult)>;

  // Takes a connection the function opened to the platform's AWS endpoint inside its sandbox
  // (frame.h kRelay), with the spec of the environment it came from; keeps `hold` for as long as
  // the connection is open.
  using Relay =
      std::function<void(Fd socket, const FunctionSpec& spec, std::shared_ptr<void> hold)>;
  // At most this many of an environment's relayed connections are open at once; more are closed
  // at once, so that no function can exhaust the daemon's descriptors.
  static constexpr long kMaxRelayedConnections = 256;

  Environment(boost::asio::io_context& io, FunctionSpec spec, uint32_t uid, Relay relay = nullptr);
  ~Environment();

  // Cold start, then the first invocation: assigns `blank` (a spare, or one just spawned; its
  // error fails the invocation) to this function, waits for the runtime's first /next (Init
  // Duration) and sends `request`. The init phase has 10 s (AWS's limit); when it
  // runs out the result carries `retry_request`. With `invoke_phase_init` (that retry) the init
  // is part of the invocation instead: its time counts in Duration and against the timeout.
  void StartAndInvoke(StatusOr<BlankSandbox> blank, InvocationRequest request, Done done,
                      bool invoke_phase_init = false);
  // Provisioned concurrency: assigns `blank` and runs the init phase ahead of any invocation,
  // with AWS_LAMBDA_INITIALIZATION_TYPE=provisioned-concurrency; `ready` is called once the
  // runtime waits for its first event (the environment is then kIdle). Its invocations report no
  // Init Duration. A failed init leaves it kDead, without calling `ready`.
  void Provision(StatusOr<BlankSandbox> blank, std::function<void()> ready);
  bool provisioned() const { return provisioned_; }
  // Warm invocation; requires state() == kIdle or kFinishing.
  void Invoke(InvocationRequest request, Done done);
  // Stops the sandbox; an invocation in progress completes as a platform failure.
  void Kill();

  State state() const { return state_; }
  const FunctionSpec& spec() const { return spec_; }
  std::chrono::steady_clock::time_point idle_since() const { return idle_since_; }
  // Releases the kernel resources (process, cgroup); may block briefly, so the scheduler calls
  // it off the event loop.
  std::function<void()> TakeCleanup();

 private:
  void Send(sandbox::FrameType type, const std::vector<std::string_view>& fields);
  void Start(StatusOr<BlankSandbox> blank);
  void Read();
  ssize_t Receive();
  void OnFrame(sandbox::Frame& frame);
  void Dispatch();
  void CameBack();
  void Finish(InvocationResult::Kind kind, std::string error_type, std::string payload);
  void Die(const std::string& why);
  void TimeOut();
  std::string ExitMessage() const;
  std::string RequestError(const std::string& message) const;

  boost::asio::io_context& io_;
  FunctionSpec spec_;
  uint32_t uid_;
  std::string log_stream_;
  State state_ = State::kStarting;
  std::unique_ptr<sandbox::Cgroup> cgroup_;
  std::unique_ptr<sandbox::SandboxProcess> process_;
  std::unique_ptr<sandbox::OutboundNetwork> network_;
  std::unique_ptr<boost::asio::posix::stream_descriptor> socket_;
  sandbox::FrameDecoder decoder_;
  char read_buffer_[65536];
  Relay relay_;
  std::deque<Fd> relayed_;  // descriptors received, for the kRelay frames they came with
  // One copy per open relayed connection: use_count() - 1 of them are open.
  std::shared_ptr<void> relay_holds_ = std::make_shared<int>(0);
  boost::asio::steady_timer deadline_;

  // The invocation in progress (or waiting for init to finish).
  std::optional<InvocationRequest> request_;
  Done done_;
  InvocationResult result_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point spawned_;
  int64_t spawned_ms_ = 0;
  bool ready_ = false;
  bool invoke_phase_init_ = false;
  bool provisioned_ = false;
  std::function<void()> on_provisioned_;
  bool first_invocation_ = true;
  // The request was sent while the runtime had not yet asked for it (kFinishing); cleared by its
  // next /next. Should the runtime die first, the request was never delivered.
  bool awaiting_next_ = false;
  std::string init_error_type_;
  std::string init_error_;
  bool init_error_is_platform_ = false;  // lamina-init's own message, not a runtime's object
  std::string exit_how_;
  std::vector<LogLine> init_logs_;
  // The output held in memory until it goes to the log store: at most kMaxHeldLogBytes during an
  // invocation and as much again between invocations, so that a function printing without end
  // cannot grow the daemon; what does not fit is counted, and reported in the log.
  static constexpr size_t kMaxHeldLogBytes = 16 << 20;
  size_t invocation_log_bytes_ = 0;
  size_t idle_log_bytes_ = 0;
  size_t dropped_log_bytes_ = 0;
  std::chrono::steady_clock::time_point idle_since_;
};

}  // namespace lamina::scheduler
