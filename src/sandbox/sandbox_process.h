// Starts lamina-init as PID 1 of fresh mount, pid, ipc, uts and network namespaces, inside an
// environment's cgroup, with one end of a socketpair as its fd 3.
//
// The daemon is multi-threaded, so the child between clone and exec runs only async-signal-safe
// code: it joins the cgroup through descriptors opened beforehand, arranges its descriptors and
// execs. All sandbox setup that needs more than that happens in lamina-init, a fresh
// single-threaded program (init/setup.h). clone runs with CLONE_VM|CLONE_VFORK, as posix_spawn
// does, so a large daemon pays no page-table copy per cold start.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "common/fd.h"
#include "common/status.h"
#include "sandbox/cgroup.h"

namespace lamina::sandbox {

struct SpawnSpec {
  std::string init_path;          // the lamina-init binary
  std::vector<std::string> argv;  // lamina-init's arguments (without argv[0])
  std::vector<std::string> env;   // KEY=VALUE, passed through to the runtime
  const Cgroup* cgroup = nullptr;
};

class SandboxProcess {
 public:
  static StatusOr<std::unique_ptr<SandboxProcess>> Spawn(const SpawnSpec& spec);
  // Kills the sandbox (PID 1's death takes its whole pid namespace) and reaps it.
  ~SandboxProcess();
  SandboxProcess(const SandboxProcess&) = delete;
  SandboxProcess& operator=(const SandboxProcess&) = delete;

  pid_t pid() const { return pid_; }
  // The daemon's end of the socketpair; the caller may take it (Release) for its event loop.
  Fd& socket() { return socket_; }
  const Fd& socket() const { return socket_; }
  void Kill() const;

 private:
  SandboxProcess() = default;
  pid_t pid_ = -1;
  Fd pidfd_;
  Fd socket_;
};

}  // namespace lamina::sandbox
