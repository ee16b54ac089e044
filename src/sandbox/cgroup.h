// Control groups for execution environments, on cgroup v2 or (where that is all the host has
// controllers on) v1's memory, cpu and pids hierarchies.
//
// Each environment gets one group per hierarchy under this daemon's own (lamina/d<pid>: groups
// left behind by a daemon that was killed are removed by the next one to start): memory limited to
// the function's MemorySize (no swap), CPU weight proportional to memory as AWS allots it (1,769 MB
// is one vCPU), and a pids limit. A Cgroup is RAII: its destructor kills whatever is left in it
// and removes it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/fd.h"
#include "common/status.h"

namespace lamina::sandbox {

struct CgroupLimits {
  int64_t memory_mb = 128;
  int64_t pids = 1024;
};

class Cgroup;

// Where the hierarchies are and which version they speak. Thread-safe after Detect().
class CgroupHost {
 public:
  // Finds the hierarchies this process lives in and creates this daemon's parent groups there,
  // `name`/d<pid>, after removing those of daemons no longer running (killing what is left in
  // them). Removes its own when destroyed, if its environments are gone.
  static StatusOr<std::unique_ptr<CgroupHost>> Detect(const std::string& name = "lamina");
  ~CgroupHost();
  bool v2() const { return v2_; }
  // Creates the group `id` with `limits`.
  StatusOr<std::unique_ptr<Cgroup>> Create(const std::string& id, const CgroupLimits& limits) const;

 private:
  bool v2_ = false;
  std::string v2_base_;      // e.g. /sys/fs/cgroup/lamina
  std::string memory_base_;  // v1 per-controller parents
  std::string cpu_base_;
  std::string pids_base_;
  std::vector<std::string> bases() const;
  // Removes the instance groups under `parents` (one per hierarchy) of daemons that are gone.
  static void RemoveStale(const std::vector<std::string>& parents, bool v2);
};

class Cgroup {
 public:
  ~Cgroup();
  Cgroup(const Cgroup&) = delete;
  Cgroup& operator=(const Cgroup&) = delete;

  // Files whose write of "0" moves the writer into the group: opened ahead of a fork so the
  // child needs only write(2), which is async-signal-safe.
  const std::vector<int>& join_fds() const { return join_fds_; }
  // Applies `limits` (a spare sandbox's group gets its function's when it is assigned).
  Status SetLimits(const CgroupLimits& limits);
  // Peak memory use in bytes since creation (one pread: it runs after every invocation).
  int64_t PeakMemoryBytes() const;
  // Whether the kernel's OOM killer acted in this group.
  bool OomKilled() const;
  // SIGKILLs every process in the group.
  void KillAll() const;

 private:
  friend class CgroupHost;
  Cgroup() = default;
  bool v2_ = false;
  std::vector<std::string> dirs_;  // one per hierarchy; [0] holds the memory controller
  std::vector<int> join_fds_;
  Fd peak_fd_;  // memory.peak (v2) or memory.max_usage_in_bytes (v1)
};

}  // namespace lamina::sandbox
