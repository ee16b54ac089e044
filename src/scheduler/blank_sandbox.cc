#include "scheduler/blank_sandbox.h"

#include <poll.h>

#include "common/crypto.h"

namespace lamina::scheduler {

bool BlankSandbox::Waiting() const {
  if (!process || !process->socket()) return false;
  struct pollfd p {
    process->socket().get(), POLLIN, 0
  };
  return ::poll(&p, 1, 0) == 0;
}

StatusOr<BlankSandbox> SpawnBlank(const EnvironmentPaths& paths, const sandbox::CgroupHost& cgroups,
                                  bool outbound_network) {
  BlankSandbox blank;
  ASSIGN_OR_RETURN(blank.cgroup,
                   cgroups.Create("env-" + HexEncode(UniqueBytes(8)), sandbox::CgroupLimits{}));
  sandbox::SpawnSpec spawn;
  spawn.init_path = paths.init_binary;
  spawn.argv = {"--root", paths.root_dir, "--runtime", paths.runtime_dir};
  spawn.cgroup = blank.cgroup.get();
  ASSIGN_OR_RETURN(blank.process, sandbox::SandboxProcess::Spawn(spawn));
  if (outbound_network) {
    ASSIGN_OR_RETURN(blank.network, sandbox::OutboundNetwork::Start(blank.process->pid(),
                                                                    std::chrono::seconds(5)));
  }
  return blank;
}

}  // namespace lamina::scheduler
