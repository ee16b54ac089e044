#include "sandbox/cgroup.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <sstream>
#include <string_view>
#include <thread>

#include "common/file_util.h"

namespace lamina::sandbox {
namespace {

constexpr char kRoot[] = "/sys/fs/cgroup";

Status WriteValue(const std::string& path, const std::string& value) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return Internal("open " + path + ": " + std::strerror(errno));
  ssize_t n = ::write(fd, value.data(), value.size());
  int e = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(value.size())) {
    return Internal("write " + value + " to " + path + ": " + std::strerror(e));
  }
  return Status::Ok();
}

// The value of `key` in a flat keyed file such as memory.events.
int64_t ReadKey(const std::string& path, const std::string& key) {
  std::string text;
  if (!ReadFile(path, text).ok()) return 0;
  std::istringstream in(text);
  std::string k;
  int64_t v;
  while (in >> k >> v) {
    if (k == key) return v;
  }
  return 0;
}

// The path of this process's group in hierarchy `controller` ("" for v2), from /proc/self/cgroup.
std::string OwnGroup(const std::string& controller) {
  std::string text;
  if (!ReadFile("/proc/self/cgroup", text).ok()) return "/";
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    size_t a = line.find(':'), b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    std::string controllers = line.substr(a + 1, b - a - 1);
    std::istringstream names(controllers);
    std::string name;
    bool match = controller.empty() && controllers.empty();
    while (std::getline(names, name, ',')) match = match || name == controller;
    if (match) return line.substr(b + 1);
  }
  return "/";
}

std::string Join(const std::string& a, const std::string& b) {
  return a + (a.back() == '/' || b.front() == '/' ? "" : "/") + b;
}

}  // namespace

std::vector<std::string> CgroupHost::bases() const {
  if (v2_) return {v2_base_};
  return {memory_base_, cpu_base_, pids_base_};
}

namespace {

// The subdirectories of `dir` whose names start with `prefix`.
std::set<std::string> Subdirs(const std::string& dir, std::string_view prefix) {
  std::set<std::string> out;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (dirent* e = ::readdir(d)) {
      if (e->d_type == DT_DIR && std::string_view(e->d_name).substr(0, prefix.size()) == prefix) {
        out.insert(e->d_name);
      }
    }
    ::closedir(d);
  }
  return out;
}

}  // namespace

void CgroupHost::RemoveStale(const std::vector<std::string>& parents, bool v2) {
  std::set<std::string> stale;
  for (const std::string& parent : parents) {
    // Left by a version that kept no instance level: removed if empty.
    for (const std::string& env : Subdirs(parent, "env-")) ::rmdir((parent + "/" + env).c_str());
    for (const std::string& instance : Subdirs(parent, "d")) {
      if (instance.size() < 2 || instance.find_first_not_of("0123456789", 1) != std::string::npos) {
        continue;
      }
      pid_t pid = static_cast<pid_t>(std::strtol(instance.c_str() + 1, nullptr, 10));
      if (pid == ::getpid() || ::kill(pid, 0) == 0 || errno == EPERM) continue;  // running
      stale.insert(instance);
    }
  }
  for (const std::string& instance : stale) {
    std::set<std::string> envs;
    for (const std::string& parent : parents) envs.merge(Subdirs(parent + "/" + instance, "env-"));
    // Each environment's groups, killed and removed as a Cgroup is.
    for (const std::string& env : envs) {
      auto group = std::unique_ptr<Cgroup>(new Cgroup());
      group->v2_ = v2;
      for (const std::string& parent : parents) {
        group->dirs_.push_back(parent + "/" + instance + "/" + env);
      }
    }
    for (const std::string& parent : parents) ::rmdir((parent + "/" + instance).c_str());
  }
}

CgroupHost::~CgroupHost() {
  for (const std::string& base : bases()) ::rmdir(base.c_str());
}

StatusOr<std::unique_ptr<CgroupHost>> CgroupHost::Detect(const std::string& name) {
  auto host = std::unique_ptr<CgroupHost>(new CgroupHost());
  const std::string instance = "d" + std::to_string(::getpid());
  struct stat st;
  // A v2-only host has cgroup.controllers at the root; a hybrid host like this kind of machine
  // mounts v1 controllers, and its v2 tree at /sys/fs/cgroup/unified has none enabled.
  const std::string controllers = Join(kRoot, "cgroup.controllers");
  if (::stat(controllers.c_str(), &st) == 0) {
    host->v2_ = true;
    std::string lamina = Join(Join(kRoot, OwnGroup("")), name);
    RETURN_IF_ERROR(MakeDirs(lamina));
    RemoveStale({lamina}, true);
    host->v2_base_ = lamina + "/" + instance;
    RETURN_IF_ERROR(MakeDirs(host->v2_base_));
    // Delegate the controllers we use down to the environments.
    std::string parent = lamina.substr(0, lamina.rfind('/'));
    (void)WriteValue(parent + "/cgroup.subtree_control", "+memory +cpu +pids");
    RETURN_IF_ERROR(WriteValue(lamina + "/cgroup.subtree_control", "+memory +cpu +pids"));
    RETURN_IF_ERROR(WriteValue(host->v2_base_ + "/cgroup.subtree_control", "+memory +cpu +pids"));
    return host;
  }
  std::vector<std::string> parents;
  for (const char* controller : {"memory", "cpu", "pids"}) {
    std::string mount = Join(kRoot, controller);
    if (::stat(mount.c_str(), &st) != 0) {
      return Internal(std::string("no cgroup ") + controller + " controller at " + mount);
    }
    parents.push_back(Join(Join(mount, OwnGroup(controller)), name));
    RETURN_IF_ERROR(MakeDirs(parents.back()));
  }
  // Memory limits must cover children's use too.
  (void)WriteValue(parents[0] + "/memory.use_hierarchy", "1");
  RemoveStale(parents, false);
  host->memory_base_ = parents[0] + "/" + instance;
  host->cpu_base_ = parents[1] + "/" + instance;
  host->pids_base_ = parents[2] + "/" + instance;
  for (const std::string& base : host->bases()) RETURN_IF_ERROR(MakeDirs(base));
  return host;
}

StatusOr<std::unique_ptr<Cgroup>> CgroupHost::Create(const std::string& id,
                                                     const CgroupLimits& limits) const {
  auto group = std::unique_ptr<Cgroup>(new Cgroup());
  group->v2_ = v2_;
  for (const std::string& base : bases()) {
    std::string dir = base + "/" + id;
    if (::mkdir(dir.c_str(), 0755) != 0)
      return Internal("mkdir " + dir + ": " + std::strerror(errno));
    group->dirs_.push_back(dir);
  }
  RETURN_IF_ERROR(group->SetLimits(limits));
  std::string peak = group->dirs_[0] + (v2_ ? "/memory.peak" : "/memory.max_usage_in_bytes");
  group->peak_fd_ = Fd(::open(peak.c_str(), O_RDONLY | O_CLOEXEC));
  if (!group->peak_fd_) return Internal("open " + peak + ": " + std::strerror(errno));
  for (const std::string& dir : group->dirs_) {
    int fd = ::open((dir + "/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return Internal("open " + dir + "/cgroup.procs: " + std::strerror(errno));
    group->join_fds_.push_back(fd);
  }
  return group;
}

Status Cgroup::SetLimits(const CgroupLimits& limits) {
  std::string memory = std::to_string(limits.memory_mb * 1024 * 1024);
  // AWS: 1,769 MB buys one full vCPU; shares scale linearly (v1 default 1024 = one CPU).
  int64_t shares = std::max<int64_t>(2, limits.memory_mb * 1024 / 1769);
  const std::string& mem = dirs_[0];
  if (v2_) {
    RETURN_IF_ERROR(WriteValue(mem + "/memory.max", memory));
    RETURN_IF_ERROR(WriteValue(mem + "/memory.swap.max", "0"));
    RETURN_IF_ERROR(WriteValue(mem + "/pids.max", std::to_string(limits.pids)));
    return WriteValue(mem + "/cpu.weight",
                      std::to_string(std::clamp<int64_t>(shares * 100 / 1024, 1, 10000)));
  }
  // Swap would let a function exceed MemorySize; where the kernel accounts swap, forbid it. v1
  // keeps memory <= memory+swap at every step, so memsw goes first when the limit grows and
  // last when it shrinks: trying it on both sides does either without reading the old limit.
  (void)WriteValue(mem + "/memory.memsw.limit_in_bytes", memory);
  RETURN_IF_ERROR(WriteValue(mem + "/memory.limit_in_bytes", memory));
  (void)WriteValue(mem + "/memory.memsw.limit_in_bytes", memory);
  (void)WriteValue(mem + "/memory.swappiness", "0");
  RETURN_IF_ERROR(WriteValue(dirs_[1] + "/cpu.shares", std::to_string(shares)));
  return WriteValue(dirs_[2] + "/pids.max", std::to_string(limits.pids));
}

int64_t Cgroup::PeakMemoryBytes() const {
  char text[32];
  ssize_t n = ::pread(peak_fd_.get(), text, sizeof text - 1, 0);
  if (n <= 0) return 0;
  text[n] = '\0';
  return std::strtoll(text, nullptr, 10);
}

bool Cgroup::OomKilled() const {
  if (v2_) return ReadKey(dirs_[0] + "/memory.events", "oom_kill") > 0;
  return ReadKey(dirs_[0] + "/memory.oom_control", "oom_kill") > 0;
}

void Cgroup::KillAll() const {
  if (v2_ && WriteValue(dirs_[0] + "/cgroup.kill", "1").ok()) return;
  for (const std::string& dir : dirs_) {
    std::string text;
    if (!ReadFile(dir + "/cgroup.procs", text).ok()) continue;
    std::istringstream in(text);
    pid_t pid;
    while (in >> pid) ::kill(pid, SIGKILL);
  }
}

Cgroup::~Cgroup() {
  for (int fd : join_fds_) ::close(fd);
  KillAll();
  // A group can be removed once its last process is gone; killed processes take a moment.
  for (const std::string& dir : dirs_) {
    for (int attempt = 0; attempt < 200; ++attempt) {
      if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) break;
      if (errno != EBUSY) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
}

}  // namespace lamina::sandbox
