#include "sandbox/sandbox_process.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace lamina::sandbox {
namespace {

constexpr int kNamespaces = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET;

// Everything the child needs, prepared by the parent: the child may not allocate.
struct ChildArgs {
  const int* join_fds;
  size_t join_count;
  int socket;
  int error_pipe;
  const char* path;
  char* const* argv;
  char* const* envp;
};

// Runs in the child between clone and exec: async-signal-safe calls only.
int ChildMain(void* p) {
  const auto* a = static_cast<const ChildArgs*>(p);
  for (size_t i = 0; i < a->join_count; ++i) {
    if (::write(a->join_fds[i], "0", 1) != 1) goto fail;
  }
  // The OOM killer picks sandboxes first, never the daemon (-1000, which would be inherited and
  // would also make the function unkillable when it fills its own memory cgroup).
  {
    int adj = ::open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
    if (adj < 0 || ::write(adj, "1000", 4) != 4) goto fail;
    ::close(adj);
  }
  // fd 3 is the daemon's socket; 0 and 1 are /dev/null; 2 stays the daemon's stderr.
  if (a->socket == 3) {
    if (::fcntl(3, F_SETFD, 0) != 0) goto fail;
  } else if (::dup2(a->socket, 3) != 3) {
    goto fail;
  }
  {
    int null = ::open("/dev/null", O_RDWR);
    if (null < 0 || ::dup2(null, 0) != 0 || ::dup2(null, 1) != 1) goto fail;
  }
  // Nothing else of the daemon's crosses exec: not every library opens its fds close-on-exec.
  // The error pipe is closed by exec too, which is how the parent learns exec succeeded.
  if (::syscall(SYS_close_range, 4, ~0U, CLOSE_RANGE_CLOEXEC) != 0) goto fail;
  ::execve(a->path, a->argv, a->envp);
fail:
  int e = errno;
  (void)!::write(a->error_pipe, &e, sizeof e);
  ::_exit(127);
}

std::vector<char*> CStrings(const std::vector<std::string>& v) {
  std::vector<char*> out;
  for (const std::string& s : v) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

}  // namespace

StatusOr<std::unique_ptr<SandboxProcess>> SandboxProcess::Spawn(const SpawnSpec& spec) {
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
    return Internal(std::string("socketpair: ") + std::strerror(errno));
  }
  Fd parent_end(pair[0]), child_end(pair[1]);
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    return Internal(std::string("pipe: ") + std::strerror(errno));
  }
  Fd error_read(pipe_fds[0]), error_write(pipe_fds[1]);

  std::vector<std::string> argv_strings{spec.init_path};
  argv_strings.insert(argv_strings.end(), spec.argv.begin(), spec.argv.end());
  std::vector<char*> argv = CStrings(argv_strings);
  std::vector<char*> envp = CStrings(spec.env);
  std::vector<int> join = spec.cgroup ? spec.cgroup->join_fds() : std::vector<int>{};
  ChildArgs args{
      join.data(), join.size(), child_end.get(), error_write.get(), spec.init_path.c_str(),
      argv.data(), envp.data()};

  constexpr size_t kStackBytes = 64 * 1024;
  std::unique_ptr<char[]> stack(new char[kStackBytes]);
  int pidfd = -1;
  pid_t pid = ::clone(ChildMain, stack.get() + kStackBytes,
                      kNamespaces | CLONE_VM | CLONE_VFORK | CLONE_PIDFD | SIGCHLD, &args, &pidfd);
  if (pid < 0) return Internal(std::string("clone: ") + std::strerror(errno));
  auto process = std::unique_ptr<SandboxProcess>(new SandboxProcess());
  process->pid_ = pid;
  process->pidfd_ = Fd(pidfd);
  // CLONE_VFORK: the child has exec'd or died by now; the pipe says which.
  error_write.Reset();
  int child_errno = 0;
  if (::read(error_read.get(), &child_errno, sizeof child_errno) == sizeof child_errno) {
    return Internal(std::string("starting lamina-init: ") + std::strerror(child_errno),
                    "Sandbox.Failure");
  }
  process->socket_ = std::move(parent_end);
  return process;
}

void SandboxProcess::Kill() const {
  if (pidfd_) ::syscall(SYS_pidfd_send_signal, pidfd_.get(), SIGKILL, nullptr, 0);
}

SandboxProcess::~SandboxProcess() {
  if (pid_ <= 0) return;
  Kill();
  int status;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace lamina::sandbox
