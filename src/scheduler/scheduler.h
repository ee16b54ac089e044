// The scheduler: per-function pools of execution environments. An invocation takes an idle
// environment of its function's current revision (warm) or starts a new one (cold); N concurrent
// invocations of one function run in N environments. Idle environments are reaped after a
// keep-alive, so an idle function holds no process (spare blank sandboxes are no function's). A
// code or configuration change retires the function's environments: idle ones at once, busy ones
// when their invocation ends.
//
// All environment state lives on the daemon's event loop (shared with the HTTP server, so a warm
// invocation never changes threads); public methods are thread-safe and return at once.
// Environment teardown (kill, reap, cgroup removal) runs on a separate cleanup thread so it never
// stalls the loop.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "sandbox/cgroup.h"
#include "scheduler/environment.h"
#include "scheduler/function_spec.h"

namespace lamina::scheduler {

// Which functions get outbound network (sandbox/outbound_network.h); the others have only their
// sandbox's loopback.
enum class OutboundNetwork { kNone, kTagged, kAll };

struct SchedulerOptions {
  EnvironmentPaths paths;
  std::chrono::milliseconds keep_alive = std::chrono::minutes(10);
  uint32_t first_uid = 100000;  // environments run as first_uid, first_uid + 1, ...
  uint32_t uid_count = 60000;
  // Blank sandboxes kept ready (blank_sandbox.h), so a cold start skips creating namespaces,
  // cgroups and the root. Each is one waiting lamina-init; one taken is replaced at once.
  int spare_sandboxes = 2;
  // AWS's scaling rate: at most this many new environments per function per 10 s (refilled
  // continuously); a cold start past it is throttled.
  int scale_per_10s = 1000;
  // The host's memory budget for execution environments: the MemorySize of all live ones may not
  // exceed it. A cold start that would is given room by reaping idle environments (least recently
  // used first), or throttled.
  int64_t memory_budget_mb = 16384;
  // Issues a new environment's credentials for its function's execution role (into the spec's
  // credential members). An environment whose credentials would expire before an invocation's
  // deadline gets no more invocations: it is retired and a new one started, so credentials
  // rotate. Null: environments get no credentials.
  std::function<Status(FunctionSpec&)> issue_credentials;
  // Serves the connections functions open to the platform's AWS endpoint in their sandboxes
  // (called on the loop). Null: such connections are closed.
  Environment::Relay relay;
  // kTagged: the functions whose spec asks for it.
  OutboundNetwork outbound_network = OutboundNetwork::kTagged;
};

class Scheduler {
 public:
  // `io` and `cgroups` must outlive the scheduler.
  Scheduler(SchedulerOptions options, const sandbox::CgroupHost* cgroups,
            boost::asio::io_context& io);
  // Waits until every environment Shutdown stopped is gone (no process, mount or cgroup left).
  // Call after the loop has stopped running, and after Shutdown if it ever ran.
  ~Scheduler();

  // Stops every environment and leaves nothing pending on the loop, so that the loop's run()
  // can return. Invocations after this fail at once. Thread-safe.
  void Shutdown();

  using Done = std::function<void(InvocationResult)>;
  // Runs `request` on an environment of `spec`. `done` is called exactly once, on the loop; it
  // must not block.
  void Invoke(FunctionSpec spec, InvocationRequest request, Done done);
  // Retires the environments of `function_name` (code/configuration changed, or deleted): of
  // `version` only, when given. Provisioned ones are started again.
  void Retire(const std::string& function_name, const std::string& version = "");

  // Provisioned concurrency: keeps `count` environments of `spec` (a version of a function)
  // initialised ahead of invocations, with AWS_LAMBDA_INITIALIZATION_TYPE=provisioned-concurrency,
  // never reaped for idleness; invocations of that version use them first. Dead ones are
  // replaced (within a second); 0 stops provisioning that version. Thread-safe.
  void Provision(FunctionSpec spec, int count);
  // How many provisioned environments of `function_name` version `version` are initialised.
  // Blocks until the loop answers.
  int ProvisionedReady(const std::string& function_name, const std::string& version);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lamina::scheduler
