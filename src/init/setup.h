// The privileged part of lamina-init: turns the fresh namespaces the daemon cloned it into into
// the execution environment, then drops every privilege. Runs once, first, single-threaded.
#pragma once

#include <sys/types.h>

#include <string>

#include "common/status.h"

namespace lamina::init {

struct SetupOptions {
  std::string root;         // an empty host directory to build the new root on
  std::string task_dir;     // the function's code, bound read-only at /var/task
  std::string runtime_dir;  // Lamina's runtime bootstraps, bound read-only at /var/runtime
  int tmp_mb = 512;         // size of the writable /tmp
  uid_t uid = 0;            // the unprivileged user the environment runs as
  gid_t gid = 0;
  std::string hostname = "lamina";
};

// In order: private mounts; a tmpfs root holding read-only binds of the host's /usr (and its
// /bin, /lib, ... links), a minimal /etc, /var/task, /var/runtime, an empty /opt, a size-limited
// /tmp, a /proc of the sandbox's own pid namespace and a /dev of a few harmless nodes; pivot_root
// into it; the root made read-only; loopback up; then all privileges dropped for good.
Status SetUpSandbox(const SetupOptions& options);

}  // namespace lamina::init
