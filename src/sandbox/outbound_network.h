// Outbound network for one sandbox, for the functions allowed it: slirp4netns (Debian's
// slirp4netns package) gives the sandbox's network namespace a tap0 device (10.0.2.100/24, default
// route 10.0.2.2, DNS at 10.0.2.3) and NATs its traffic in user space to whatever the host
// reaches, except the host's own loopback (--disable-host-loopback: not the daemon's port, nor
// anything else bound to 127.0.0.1). slirp4netns runs in a sandbox and under a seccomp filter of
// its own, outside the function's cgroup, as a child of the daemon.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>

#include "common/fd.h"
#include "common/status.h"

namespace lamina::sandbox {

class OutboundNetwork {
 public:
  // Starts slirp4netns for the network namespace of `sandbox_pid` and waits (blocking, up to
  // `timeout`) until the device is configured. kUnavailable when slirp4netns is not installed.
  static StatusOr<std::unique_ptr<OutboundNetwork>> Start(pid_t sandbox_pid,
                                                          std::chrono::milliseconds timeout);

  // Stops slirp4netns (it also stops by itself once this object's end of its exit pipe closes, or
  // when the namespace goes) and reaps it. May block briefly.
  ~OutboundNetwork();
  OutboundNetwork(const OutboundNetwork&) = delete;
  OutboundNetwork& operator=(const OutboundNetwork&) = delete;

 private:
  OutboundNetwork(pid_t pid, Fd exit_fd) : pid_(pid), exit_fd_(std::move(exit_fd)) {}

  pid_t pid_;
  Fd exit_fd_;  // slirp4netns exits when this closes
};

}  // namespace lamina::sandbox
