#include "sandbox/outbound_network.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

extern char** environ;

namespace lamina::sandbox {
namespace {

constexpr const char* kSlirp = "/usr/bin/slirp4netns";
// The descriptors slirp4netns finds its pipes on.
constexpr int kReadyFd = 3;
constexpr int kExitFd = 4;

bool MakePipe(Fd& read_end, Fd& write_end) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return false;
  read_end = Fd(fds[0]);
  write_end = Fd(fds[1]);
  return true;
}

void KillAndReap(pid_t pid) {
  ::kill(pid, SIGKILL);
  while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace

StatusOr<std::unique_ptr<OutboundNetwork>> OutboundNetwork::Start(
    pid_t sandbox_pid, std::chrono::milliseconds timeout) {
  if (::access(kSlirp, X_OK) != 0) {
    return Status(Code::kUnavailable,
                  "outbound network needs slirp4netns (Debian package slirp4netns)");
  }
  Fd ready_read, ready_write, exit_read, exit_write;
  if (!MakePipe(ready_read, ready_write) || !MakePipe(exit_read, exit_write)) {
    return Internal(std::string("pipe: ") + std::strerror(errno));
  }
  std::string pid = std::to_string(sandbox_pid);
  std::string ready_flag = "--ready-fd=" + std::to_string(kReadyFd);
  std::string exit_flag = "--exit-fd=" + std::to_string(kExitFd);
  std::vector<std::string> args = {kSlirp,
                                   "--configure",
                                   "--mtu=65520",
                                   "--disable-host-loopback",
                                   "--enable-sandbox",
                                   "--enable-seccomp",
                                   ready_flag,
                                   exit_flag,
                                   pid,
                                   "tap0"};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  // The child gets the two pipe ends at fixed numbers (dup2 clears close-on-exec), stdin and
  // stdout from /dev/null, and the daemon's stderr for its complaints.
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, ready_write.get(), kReadyFd);
  posix_spawn_file_actions_adddup2(&actions, exit_read.get(), kExitFd);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  pid_t child = -1;
  int spawned = ::posix_spawn(&child, kSlirp, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) return Internal(std::string("slirp4netns: ") + std::strerror(spawned));
  ready_write.Reset();
  exit_read.Reset();

  // slirp4netns writes "1" once tap0 is up and configured; it closes the pipe if it fails.
  pollfd p{ready_read.get(), POLLIN, 0};
  int polled;
  while ((polled = ::poll(&p, 1, static_cast<int>(timeout.count()))) < 0 && errno == EINTR) {
  }
  char byte = 0;
  if (polled != 1 || ::read(ready_read.get(), &byte, 1) != 1 || byte != '1') {
    KillAndReap(child);
    return Internal(polled == 0 ? "slirp4netns did not configure the sandbox's network in time"
                                : "slirp4netns failed to configure the sandbox's network");
  }
  return std::unique_ptr<OutboundNetwork>(new OutboundNetwork(child, std::move(exit_write)));
}

OutboundNetwork::~OutboundNetwork() {
  exit_fd_.Reset();
  KillAndReap(pid_);
}

}  // namespace lamina::sandbox
