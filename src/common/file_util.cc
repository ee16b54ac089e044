#include "common/file_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>

#include "common/fd.h"

namespace lamina {
namespace {

Status ErrnoStatus(const std::string& what, const std::string& path) {
  int e = errno;
  Code code = e == ENOENT ? Code::kNotFound : Code::kInternal;
  return Status(code, what + " " + path + ": " + std::strerror(e));
}

}  // namespace

Status ReadFile(const std::string& path, std::string& out) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return ErrnoStatus("open", path);
  out.clear();
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus("read", path);
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return Status::Ok();
}

Status WriteFileDurably(const std::string& path, const std::string& data, int mode) {
  // The temp name is unique per call, not just per process: two threads writing the same path
  // (two Puts of one blob) must not truncate or rename each other's half-written file.
  static std::atomic<uint64_t> sequence{0};
  std::string tmp = path + ".tmp." + std::to_string(::getpid()) + "." +
                    std::to_string(sequence.fetch_add(1, std::memory_order_relaxed));
  {
    Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
    if (!fd) return ErrnoStatus("create", tmp);
    size_t off = 0;
    while (off < data.size()) {
      ssize_t n = ::write(fd.get(), data.data() + off, data.size() - off);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        Status s = ErrnoStatus("write", tmp);
        ::unlink(tmp.c_str());
        return s;
      }
      off += static_cast<size_t>(n);
    }
    if (::fchmod(fd.get(), static_cast<mode_t>(mode)) != 0 || ::fsync(fd.get()) != 0) {
      Status s = ErrnoStatus("fsync", tmp);
      ::unlink(tmp.c_str());
      return s;
    }
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Status s = ErrnoStatus("rename", tmp);
    ::unlink(tmp.c_str());
    return s;
  }
  size_t slash = path.rfind('/');
  return SyncDir(slash == std::string::npos ? "." : path.substr(0, slash == 0 ? 1 : slash));
}

Status MakeDirs(const std::string& path, int mode) {
  if (path.empty()) return Status::Ok();
  for (size_t pos = 1;; ++pos) {
    pos = path.find('/', pos);
    std::string prefix = path.substr(0, pos);
    if (::mkdir(prefix.c_str(), static_cast<mode_t>(mode)) != 0 && errno != EEXIST) {
      return ErrnoStatus("mkdir", prefix);
    }
    if (pos == std::string::npos) break;
  }
  return Status::Ok();
}

Status SyncDir(const std::string& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return ErrnoStatus("open", dir);
  if (::fsync(fd.get()) != 0) return ErrnoStatus("fsync", dir);
  return Status::Ok();
}

}  // namespace lamina
