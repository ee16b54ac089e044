#include "init/setup.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/fd.h"

namespace lamina::init {
namespace {

constexpr rlim_t kMaxOpenFiles = 1024;  // AWS Lambda's file descriptor limit

Status Fail(const std::string& what) {
  return Internal(what + ": " + std::strerror(errno), "Sandbox.Failure");
}

Status Mount(const char* source, const std::string& target, const char* type, unsigned long flags,
             const char* data = nullptr) {
  if (::mount(source, target.c_str(), type, flags, data) != 0) {
    return Fail(std::string("mount ") + (source ? source : "") + " on " + target);
  }
  return Status::Ok();
}

// A bind mount, then a remount that makes it read-only: the flags of a bind mount are only
// applied by the remount.
Status BindReadOnly(const std::string& source, const std::string& target) {
  RETURN_IF_ERROR(Mount(source.c_str(), target, nullptr, MS_BIND | MS_REC));
  return Mount(nullptr, target, nullptr,
               MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_REC);
}

Status MakeDir(const std::string& path, mode_t mode = 0755) {
  if (::mkdir(path.c_str(), mode) != 0 && errno != EEXIST) return Fail("mkdir " + path);
  return Status::Ok();
}

Status WriteText(const std::string& path, const std::string& text) {
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd || ::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    return Fail("write " + path);
  }
  return Status::Ok();
}

// Mirrors a top-level host entry such as /lib64: a symlink stays a symlink (merged /usr), a
// directory is bound read-only, an absent one is skipped.
Status MirrorTopLevel(const std::string& root, const char* name) {
  std::string host = std::string("/") + name;
  struct stat st;
  if (::lstat(host.c_str(), &st) != 0) return Status::Ok();
  if (S_ISLNK(st.st_mode)) {
    char target[256];
    ssize_t n = ::readlink(host.c_str(), target, sizeof target - 1);
    if (n < 0) return Fail("readlink " + host);
    target[n] = '\0';
    if (::symlink(target, (root + host).c_str()) != 0) return Fail("symlink " + host);
    return Status::Ok();
  }
  RETURN_IF_ERROR(MakeDir(root + host));
  return BindReadOnly(host, root + host);
}

Status BuildDev(const std::string& root) {
  std::string dev = root + "/dev";
  RETURN_IF_ERROR(MakeDir(dev));
  RETURN_IF_ERROR(Mount("tmpfs", dev, "tmpfs", MS_NOSUID | MS_NOEXEC, "size=64k,mode=755"));
  for (const char* node : {"null", "zero", "full", "random", "urandom"}) {
    std::string target = dev + "/" + node;
    RETURN_IF_ERROR(WriteText(target, ""));
    RETURN_IF_ERROR(Mount((std::string("/dev/") + node).c_str(), target, nullptr, MS_BIND));
  }
  for (auto [name, target] : {std::pair{"fd", "/proc/self/fd"},
                              {"stdin", "/proc/self/fd/0"},
                              {"stdout", "/proc/self/fd/1"},
                              {"stderr", "/proc/self/fd/2"}}) {
    if (::symlink(target, (dev + "/" + name).c_str()) != 0)
      return Fail("symlink /dev/" + std::string(name));
  }
  return Status::Ok();
}

// What every sandbox shares of the host's /etc: shared-library lookup and TLS roots.
Status BuildHostEtc(const std::string& root) {
  std::string etc = root + "/etc";
  RETURN_IF_ERROR(MakeDir(etc));
  // slirp4netns's resolver, for the sandboxes with outbound network (outbound_network.h); the
  // others have no route to it and fail at once.
  RETURN_IF_ERROR(WriteText(etc + "/resolv.conf", "nameserver 10.0.2.3\n"));
  for (const char* file : {"ld.so.cache", "nsswitch.conf"}) {
    std::string host = std::string("/etc/") + file;
    if (::access(host.c_str(), R_OK) != 0) continue;
    RETURN_IF_ERROR(WriteText(etc + "/" + file, ""));
    RETURN_IF_ERROR(BindReadOnly(host, etc + "/" + file));
  }
  for (const char* dir : {"ssl", "alternatives"}) {
    std::string host = std::string("/etc/") + dir;
    if (::access(host.c_str(), R_OK) != 0) continue;
    RETURN_IF_ERROR(MakeDir(etc + "/" + dir));
    RETURN_IF_ERROR(BindReadOnly(host, etc + "/" + dir));
  }
  return Status::Ok();
}

// The environment's own user, group and name.
Status BuildIdentity(const std::string& root, const Assignment& a) {
  std::string etc = root + "/etc";
  std::string uid = std::to_string(a.uid), gid = std::to_string(a.gid);
  RETURN_IF_ERROR(WriteText(etc + "/passwd",
                            "root:x:0:0:root:/root:/sbin/nologin\n"
                            "sbx_user1051:x:" +
                                uid + ":" + gid + "::/tmp:/sbin/nologin\n"));
  RETURN_IF_ERROR(WriteText(etc + "/group", "root:x:0:\nsbx_user1051:x:" + gid + ":\n"));
  return WriteText(etc + "/hosts", "127.0.0.1\tlocalhost " + a.hostname +
                                       "\n"
                                       "::1\tlocalhost\n");
}

Status LoopbackUp() {
  Fd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd) return Fail("socket");
  struct ifreq ifr {};
  std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  if (::ioctl(fd.get(), SIOCGIFFLAGS, &ifr) != 0) return Fail("SIOCGIFFLAGS lo");
  ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP | IFF_RUNNING);
  if (::ioctl(fd.get(), SIOCSIFFLAGS, &ifr) != 0) return Fail("SIOCSIFFLAGS lo");
  return Status::Ok();
}

Status DropPrivileges(uid_t uid, gid_t gid) {
  // Groups first, then gid, then uid: once the uid changes nothing else can be changed. Leaving
  // uid 0 for a non-zero uid (without keepcaps) clears every capability set.
  if (::setgroups(0, nullptr) != 0) return Fail("setgroups");
  if (::setresgid(gid, gid, gid) != 0) return Fail("setresgid");
  if (::setresuid(uid, uid, uid) != 0) return Fail("setresuid");
  // No exec can ever regain privileges (setuid binaries, file capabilities).
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return Fail("no_new_privs");
  if (::getuid() == 0 || ::geteuid() == 0) return Internal("still root", "Sandbox.Failure");
  return Status::Ok();
}

}  // namespace

Status PrepareSandbox(const SandboxRoot& r) {
  // 1. Nothing mounted from here on may propagate back to the host.
  RETURN_IF_ERROR(Mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE));
  // 2. The new root: a small tmpfs, made read-only once it is furnished (EnterSandbox).
  const std::string& root = r.root;
  RETURN_IF_ERROR(Mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=755"));
  // 3. The host's programs and libraries, read-only.
  RETURN_IF_ERROR(MakeDir(root + "/usr"));
  RETURN_IF_ERROR(BindReadOnly("/usr", root + "/usr"));
  for (const char* top : {"bin", "sbin", "lib", "lib32", "lib64", "libx32"}) {
    RETURN_IF_ERROR(MirrorTopLevel(root, top));
  }
  RETURN_IF_ERROR(BuildHostEtc(root));
  // 4. Lamina's runtimes, read-only; the mount points of the code and of /tmp; /opt for layers.
  RETURN_IF_ERROR(MakeDir(root + "/var"));
  RETURN_IF_ERROR(MakeDir(root + "/var/task"));
  RETURN_IF_ERROR(MakeDir(root + "/var/runtime"));
  RETURN_IF_ERROR(BindReadOnly(r.runtime_dir, root + "/var/runtime"));
  RETURN_IF_ERROR(MakeDir(root + "/opt"));
  RETURN_IF_ERROR(MakeDir(root + "/tmp", 01777));
  // 5. /proc of our own pid namespace (we are its PID 1), and a few device nodes.
  RETURN_IF_ERROR(MakeDir(root + "/proc"));
  RETURN_IF_ERROR(Mount("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC));
  RETURN_IF_ERROR(BuildDev(root));
  // 6. Switch roots and forget the old one. (Unmounting the host's tree waits for the kernel's
  //    RCU grace period, a millisecond: one more reason to do it before a function waits.)
  RETURN_IF_ERROR(MakeDir(root + "/.old"));
  if (::syscall(SYS_pivot_root, root.c_str(), (root + "/.old").c_str()) != 0) {
    return Fail("pivot_root");
  }
  if (::chdir("/") != 0) return Fail("chdir /");
  if (::umount2("/.old", MNT_DETACH) != 0) return Fail("umount old root");
  if (::rmdir("/.old") != 0) return Fail("rmdir old root");
  // 7. Our own loopback (the Runtime API listens there).
  return LoopbackUp();
}

Status EnterSandbox(const Assignment& a) {
  // 1. Who the environment is, its code, and the only writable place, bounded by
  //    EphemeralStorage.
  RETURN_IF_ERROR(BuildIdentity("", a));
  if (::move_mount(a.code.get(), "", AT_FDCWD, "/var/task", MOVE_MOUNT_F_EMPTY_PATH) != 0) {
    return Fail("attach the code at /var/task");
  }
  RETURN_IF_ERROR(Mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV,
                        ("size=" + std::to_string(a.tmp_mb) + "m,mode=1777").c_str()));
  if (::sethostname(a.hostname.data(), a.hostname.size()) != 0) return Fail("sethostname");
  // 2. Furnished: the root itself becomes read-only.
  RETURN_IF_ERROR(
      Mount(nullptr, "/", nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV));
  // 3. AWS's limit of open files, whatever the daemon's was; then for good: no root, no
  //    capabilities, no new privileges.
  rlimit files{kMaxOpenFiles, kMaxOpenFiles};
  if (::setrlimit(RLIMIT_NOFILE, &files) != 0) return Fail("setrlimit RLIMIT_NOFILE");
  RETURN_IF_ERROR(DropPrivileges(a.uid, a.gid));
  if (::chdir("/var/task") != 0) return Fail("chdir /var/task");
  return Status::Ok();
}

}  // namespace lamina::init
