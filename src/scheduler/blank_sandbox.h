// A sandbox that is no function's yet: lamina-init running as PID 1 of fresh namespaces, in a
// cgroup of its own, its root prepared (init/setup.h PrepareSandbox), waiting on its socket for
// the kAssign frame that makes it a function's execution environment (Environment). Everything
// here is what a cold start would otherwise wait for, so the scheduler keeps a few spare.
#pragma once

#include <memory>

#include "common/status.h"
#include "sandbox/cgroup.h"
#include "sandbox/outbound_network.h"
#include "sandbox/sandbox_process.h"

namespace lamina::scheduler {

// Host paths an environment is built from.
struct EnvironmentPaths {
  std::string init_binary;  // lamina-init
  std::string root_dir;     // empty directory the sandbox root is mounted on
  std::string runtime_dir;  // Lamina's runtimes, bound at /var/runtime
};

struct BlankSandbox {
  std::unique_ptr<sandbox::Cgroup> cgroup;            // declared first: destroyed last
  std::unique_ptr<sandbox::SandboxProcess> process;   // killed and reaped before its group goes
  std::unique_ptr<sandbox::OutboundNetwork> network;  // only with outbound network

  // Whether lamina-init is still waiting to be assigned. It never writes before that, so
  // anything to read on its socket (a setup failure, or the end of the stream) means it is gone.
  bool Waiting() const;
};

// Spawns one, with CgroupLimits' defaults until it is assigned, and with `outbound_network` its
// network (outbound_network.h). Blocks for the clone (a few milliseconds; ~11 more for the
// network): callers that must not block run it on another thread. Thread-safe.
StatusOr<BlankSandbox> SpawnBlank(const EnvironmentPaths& paths, const sandbox::CgroupHost& cgroups,
                                  bool outbound_network = false);

}  // namespace lamina::scheduler
