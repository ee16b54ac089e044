#include "seccomp/seccomp_policy.h"

#include <linux/netlink.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "common/fd.h"

namespace lamina::seccomp {
namespace {

// Everything an ordinary program calls: files, memory, processes and threads, signals, time,
// sockets, polling, IPC. Names that do not exist on this architecture are skipped.
constexpr const char* kAllowed[] = {
    // files and directories
    "read",
    "write",
    "open",
    "openat",
    "openat2",
    "close",
    "close_range",
    "creat",
    "stat",
    "fstat",
    "lstat",
    "newfstatat",
    "statx",
    "statfs",
    "fstatfs",
    "lseek",
    "pread64",
    "pwrite64",
    "readv",
    "writev",
    "preadv",
    "pwritev",
    "preadv2",
    "pwritev2",
    "access",
    "faccessat",
    "faccessat2",
    "dup",
    "dup2",
    "dup3",
    "fcntl",
    "flock",
    "fsync",
    "fdatasync",
    "sync",
    "syncfs",
    "sync_file_range",
    "truncate",
    "ftruncate",
    "fallocate",
    "fadvise64",
    "readahead",
    "getdents",
    "getdents64",
    "getcwd",
    "chdir",
    "fchdir",
    "rename",
    "renameat",
    "renameat2",
    "mkdir",
    "mkdirat",
    "rmdir",
    "link",
    "linkat",
    "unlink",
    "unlinkat",
    "symlink",
    "symlinkat",
    "readlink",
    "readlinkat",
    "chmod",
    "fchmod",
    "fchmodat",
    "fchmodat2",
    "chown",
    "fchown",
    "lchown",
    "fchownat",
    "umask",
    "utime",
    "utimes",
    "utimensat",
    "futimesat",
    "mknod",
    "mknodat",
    "setxattr",
    "lsetxattr",
    "fsetxattr",
    "getxattr",
    "lgetxattr",
    "fgetxattr",
    "listxattr",
    "llistxattr",
    "flistxattr",
    "removexattr",
    "lremovexattr",
    "fremovexattr",
    "sendfile",
    "splice",
    "tee",
    "vmsplice",
    "copy_file_range",
    "ioctl",
    "pipe",
    "pipe2",
    "memfd_create",
    "inotify_init",
    "inotify_init1",
    "inotify_add_watch",
    "inotify_rm_watch",
    "io_setup",
    "io_destroy",
    "io_getevents",
    "io_pgetevents",
    "io_submit",
    "io_cancel",
    // memory
    "brk",
    "mmap",
    "munmap",
    "mremap",
    "mprotect",
    "msync",
    "mincore",
    "madvise",
    "mlock",
    "mlock2",
    "munlock",
    "mlockall",
    "munlockall",
    "membarrier",
    "pkey_mprotect",
    "pkey_alloc",
    "pkey_free",
    "get_mempolicy",
    "set_mempolicy",
    "mbind",
    "map_shadow_stack",
    // processes and threads (clone is allowed below, without namespace flags)
    "fork",
    "vfork",
    "execve",
    "execveat",
    "exit",
    "exit_group",
    "wait4",
    "waitid",
    "getpid",
    "getppid",
    "gettid",
    "getpgid",
    "setpgid",
    "getpgrp",
    "getsid",
    "setsid",
    "set_tid_address",
    "set_robust_list",
    "get_robust_list",
    "rseq",
    "futex",
    "futex_waitv",
    "arch_prctl",
    "prctl",
    "personality",
    "uname",
    "sysinfo",
    "getrusage",
    "times",
    "getrlimit",
    "setrlimit",
    "prlimit64",
    "getpriority",
    "setpriority",
    "sched_yield",
    "sched_getaffinity",
    "sched_setaffinity",
    "sched_getparam",
    "sched_setparam",
    "sched_getscheduler",
    "sched_setscheduler",
    "sched_get_priority_max",
    "sched_get_priority_min",
    "sched_rr_get_interval",
    "sched_getattr",
    "sched_setattr",
    "getcpu",
    "ioprio_get",
    "ioprio_set",
    "pidfd_open",
    "pidfd_send_signal",
    "restart_syscall",
    "seccomp",
    "getrandom",
    "capget",
    "capset",
    "landlock_create_ruleset",
    "landlock_add_rule",
    "landlock_restrict_self",
    // identity (the sandbox's own uid only; no capability to change it)
    "getuid",
    "geteuid",
    "getgid",
    "getegid",
    "getresuid",
    "getresgid",
    "getgroups",
    "setuid",
    "setgid",
    "setreuid",
    "setregid",
    "setresuid",
    "setresgid",
    "setgroups",
    "setfsuid",
    "setfsgid",
    // signals
    "rt_sigaction",
    "rt_sigprocmask",
    "rt_sigreturn",
    "rt_sigpending",
    "rt_sigtimedwait",
    "rt_sigqueueinfo",
    "rt_tgsigqueueinfo",
    "rt_sigsuspend",
    "sigaltstack",
    "kill",
    "tkill",
    "tgkill",
    "pause",
    "alarm",
    "signalfd",
    "signalfd4",
    // time
    "nanosleep",
    "clock_nanosleep",
    "clock_gettime",
    "clock_getres",
    "gettimeofday",
    "time",
    "getitimer",
    "setitimer",
    "timer_create",
    "timer_settime",
    "timer_gettime",
    "timer_getoverrun",
    "timer_delete",
    "timerfd_create",
    "timerfd_settime",
    "timerfd_gettime",
    // polling and events
    "poll",
    "ppoll",
    "select",
    "pselect6",
    "epoll_create",
    "epoll_create1",
    "epoll_ctl",
    "epoll_wait",
    "epoll_pwait",
    "epoll_pwait2",
    "eventfd",
    "eventfd2",
    // sockets (socket and socketpair are allowed below, for the families a function needs)
    "connect",
    "accept",
    "accept4",
    "bind",
    "listen",
    "shutdown",
    "getsockname",
    "getpeername",
    "setsockopt",
    "getsockopt",
    "sendto",
    "recvfrom",
    "sendmsg",
    "recvmsg",
    "sendmmsg",
    "recvmmsg",
    // System V and POSIX IPC (the sandbox has its own IPC namespace)
    "shmget",
    "shmat",
    "shmdt",
    "shmctl",
    "semget",
    "semop",
    "semtimedop",
    "semctl",
    "msgget",
    "msgsnd",
    "msgrcv",
    "msgctl",
    "mq_open",
    "mq_unlink",
    "mq_timedsend",
    "mq_timedreceive",
    "mq_notify",
    "mq_getsetattr",
};

// Refused with EPERM rather than ENOSYS: they exist, a function may not use them.
constexpr const char* kRefused[] = {
    "mount",
    "umount2",
    "pivot_root",
    "chroot",
    "unshare",
    "setns",
    "fsopen",
    "fsconfig",
    "fsmount",
    "fspick",
    "move_mount",
    "open_tree",
    "mount_setattr",
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "kcmp",
    "pidfd_getfd",
    "init_module",
    "finit_module",
    "delete_module",
    "kexec_load",
    "kexec_file_load",
    "reboot",
    "swapon",
    "swapoff",
    "settimeofday",
    "clock_settime",
    "clock_adjtime",
    "adjtimex",
    "sethostname",
    "setdomainname",
    "acct",
    "quotactl",
    "syslog",
    "keyctl",
    "add_key",
    "request_key",
    "bpf",
    "perf_event_open",
    "userfaultfd",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "name_to_handle_at",
    "open_by_handle_at",
    "iopl",
    "ioperm",
    "modify_ldt",
    "vhangup",
    "lookup_dcookie",
    "fanotify_init",
    "fanotify_mark",
    "move_pages",
    "migrate_pages",
};

constexpr uint64_t kNamespaceFlags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER |
                                     CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP;

struct ContextDeleter {
  void operator()(void* ctx) const { seccomp_release(ctx); }
};

Status Failed(const char* what, int rc) {
  return Internal(std::string("seccomp: ") + what + ": " + std::strerror(-rc), "Sandbox.Failure");
}

}  // namespace

StatusOr<std::vector<sock_filter>> CompilePolicy() {
  std::unique_ptr<void, ContextDeleter> ctx(seccomp_init(SCMP_ACT_ERRNO(ENOSYS)));
  if (!ctx) return Internal("seccomp_init failed", "Sandbox.Failure");
  // A binary tree of the syscall numbers, not a list: every system call the function makes runs
  // this program.
  if (int rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_OPTIMIZE, 2); rc != 0) {
    return Failed("optimize", rc);
  }
  auto add = [&](uint32_t action, const char* name, std::initializer_list<scmp_arg_cmp> args) {
    int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR) return 0;  // not on this architecture
    return seccomp_rule_add_array(ctx.get(), action, nr, static_cast<unsigned>(args.size()),
                                  args.size() ? args.begin() : nullptr);
  };
  int rc = 0;
  for (const char* name : kAllowed) {
    if ((rc = add(SCMP_ACT_ALLOW, name, {})) != 0) return Failed(name, rc);
  }
  for (const char* name : kRefused) {
    if ((rc = add(SCMP_ACT_ERRNO(EPERM), name, {})) != 0) return Failed(name, rc);
  }
  // clone3 is left to the default: its flags are in a struct the filter cannot read, and ENOSYS
  // sends libc back to clone.
  // clone without namespace flags (threads, fork); with one, it falls to the default.
  if ((rc = add(SCMP_ACT_ALLOW, "clone", {SCMP_A0(SCMP_CMP_MASKED_EQ, kNamespaceFlags, 0)})) != 0) {
    return Failed("clone", rc);
  }
  // Sockets: unix of any type; IPv4/IPv6 streams and datagrams (no raw sockets); netlink route
  // (glibc's getaddrinfo and if_nameindex). No packet sockets, no other families.
  for (int type : {SOCK_STREAM, SOCK_DGRAM}) {
    for (int family : {AF_INET, AF_INET6}) {
      rc = add(SCMP_ACT_ALLOW, "socket",
               {SCMP_A0(SCMP_CMP_EQ, static_cast<scmp_datum_t>(family)),
                SCMP_A1(SCMP_CMP_MASKED_EQ, 0xf, static_cast<scmp_datum_t>(type))});
      if (rc != 0) return Failed("socket", rc);
    }
  }
  if ((rc = add(SCMP_ACT_ALLOW, "socket", {SCMP_A0(SCMP_CMP_EQ, AF_UNIX)})) != 0 ||
      (rc = add(SCMP_ACT_ALLOW, "socket",
                {SCMP_A0(SCMP_CMP_EQ, AF_NETLINK), SCMP_A2(SCMP_CMP_EQ, NETLINK_ROUTE)})) != 0 ||
      (rc = add(SCMP_ACT_ALLOW, "socketpair", {SCMP_A0(SCMP_CMP_EQ, AF_UNIX)})) != 0) {
    return Failed("socket", rc);
  }
  // The program itself, read back from libseccomp through a memory file (2.5 has no in-memory
  // export).
  Fd file(::memfd_create("seccomp", MFD_CLOEXEC));
  if (!file) return Internal("memfd: " + std::string(std::strerror(errno)), "Sandbox.Failure");
  if ((rc = seccomp_export_bpf(ctx.get(), file.get())) != 0) return Failed("export", rc);
  std::string bytes;
  char buf[4096];
  ssize_t n;
  for (off_t at = 0; (n = ::pread(file.get(), buf, sizeof buf, at)) > 0; at += n) {
    bytes.append(buf, static_cast<size_t>(n));
  }
  if (bytes.empty() || bytes.size() % sizeof(sock_filter) != 0) {
    return Internal("seccomp: malformed program", "Sandbox.Failure");
  }
  std::vector<sock_filter> program(bytes.size() / sizeof(sock_filter));
  std::memcpy(program.data(), bytes.data(), bytes.size());
  return program;
}

}  // namespace lamina::seccomp
