// The system calls a function may make: an allowlist, compiled to a seccomp BPF program with
// libseccomp. What is not on the list fails with ENOSYS (so libraries fall back, as glibc does
// from clone3 to clone); the calls a function has no business making fail with EPERM: mount and
// the new mount API, pivot_root, chroot, unshare and setns, ptrace and process_vm_*, kernel
// modules, kexec, reboot, swap, clock setting, keyrings, bpf, perf_event_open, userfaultfd,
// io_uring, open_by_handle_at, kcmp. clone with a namespace flag, and sockets other than unix,
// IPv4/IPv6 stream and datagram and netlink route (no raw or packet sockets), fail with ENOSYS.
// The list was checked against python3, node, AWS's Node.js runtime interface client and shell
// bootstraps: the e2e suites run every runtime under it.
#pragma once

#include <linux/filter.h>

#include <vector>

#include "common/status.h"

namespace lamina::seccomp {

// Compiles the policy for the architecture this runs on. Slow (milliseconds): the build runs it
// once (lamina-seccomp-gen) and lamina-init installs the result (init/seccomp_filter.h).
StatusOr<std::vector<sock_filter>> CompilePolicy();

}  // namespace lamina::seccomp
