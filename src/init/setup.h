// The privileged part of lamina-init: turns the fresh namespaces the daemon cloned it into into
// an execution environment, then drops every privilege. Runs first, single-threaded, in two
// steps: PrepareSandbox builds everything no function decides and switches to the new root (it
// may run long before a function is known: the daemon keeps spare sandboxes prepared), and
// EnterSandbox adds the function's own and locks the sandbox down.
#pragma once

#include <sys/types.h>

#include <string>

#include "common/fd.h"
#include "common/status.h"

namespace lamina::init {

struct SandboxRoot {
  std::string root;         // an empty host directory to build the new root on
  std::string runtime_dir;  // Lamina's runtime bootstraps, bound read-only at /var/runtime
};

// What the function decides, sent by the daemon when it assigns the sandbox.
struct Assignment {
  Fd code;           // a detached read-only mount of the function's code, for /var/task
  int tmp_mb = 512;  // size of the writable /tmp
  uid_t uid = 0;     // the unprivileged user the environment runs as
  gid_t gid = 0;
  std::string hostname = "lamina";
};

// Private mounts; a tmpfs root holding read-only binds of the host's /usr (and its /bin, /lib,
// ... links), the host-wide part of /etc, /var/runtime, an empty /opt, a /proc of the sandbox's
// own pid namespace and a /dev of a few harmless nodes; pivot_root into it, the host's tree
// unmounted; loopback up.
Status PrepareSandbox(const SandboxRoot& root);

// The identity files of /etc, the code at /var/task, a size-limited /tmp and the hostname; the
// root made read-only; then all privileges dropped for good.
Status EnterSandbox(const Assignment& assignment);

}  // namespace lamina::init
