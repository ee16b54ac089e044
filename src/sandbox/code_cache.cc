#include "sandbox/code_cache.h"

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include "common/fd.h"
#include "common/file_util.h"

namespace lamina::sandbox {
namespace {

struct ArchiveCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};
struct FileCloser {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};

Status Errno(const std::string& what) { return Internal(what + ": " + std::strerror(errno)); }

void RemoveTree(const std::string& path) {
  ::nftw(
      path.c_str(), [](const char* p, const struct stat*, int, struct FTW*) { return ::remove(p); },
      16, FTW_DEPTH | FTW_PHYS);
}

// Unpacks `zip` under `root`: directories 0755, files 0644 or 0755 when the zip says
// executable, symlinks as symlinks. Entry names were checked at upload time.
Status Unpack(const std::string& zip, const std::string& root) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(zip.data(), zip.size(), 0, &error);
  if (!source) return Internal("zip source");
  std::unique_ptr<zip_t, ArchiveCloser> archive(zip_open_from_source(source, ZIP_RDONLY, &error));
  zip_error_fini(&error);
  if (!archive) {
    zip_source_free(source);
    return Internal("cannot open stored package");
  }
  zip_int64_t entries = zip_get_num_entries(archive.get(), 0);
  std::vector<char> buffer(1 << 16);
  for (zip_int64_t i = 0; i < entries; ++i) {
    auto index = static_cast<zip_uint64_t>(i);
    std::string name = zip_get_name(archive.get(), index, ZIP_FL_ENC_RAW);
    std::string path = root + "/" + name;
    // Parents first: zips need not list directories.
    size_t slash = path.rfind('/');
    RETURN_IF_ERROR(MakeDirs(path.substr(0, slash), 0755));
    if (name.back() == '/') continue;
    zip_uint8_t opsys = 0;
    zip_uint32_t attributes = 0;
    zip_file_get_external_attributes(archive.get(), index, 0, &opsys, &attributes);
    mode_t unix_mode = opsys == ZIP_OPSYS_UNIX ? static_cast<mode_t>(attributes >> 16) : 0;
    std::unique_ptr<zip_file_t, FileCloser> file(zip_fopen_index(archive.get(), index, 0));
    if (!file) return Internal("cannot read " + name + " from stored package");
    std::string content;
    if (S_ISLNK(unix_mode)) {
      for (;;) {
        zip_int64_t n = zip_fread(file.get(), buffer.data(), buffer.size());
        if (n <= 0) break;
        content.append(buffer.data(), static_cast<size_t>(n));
      }
      if (::symlink(content.c_str(), path.c_str()) != 0) return Errno("symlink " + path);
      continue;
    }
    mode_t mode = (unix_mode & 0111) ? 0755 : 0644;
    Fd out(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
    if (!out) return Errno("create " + path);
    for (;;) {
      zip_int64_t n = zip_fread(file.get(), buffer.data(), buffer.size());
      if (n < 0) return Internal("cannot read " + name + " from stored package");
      if (n == 0) break;
      if (::write(out.get(), buffer.data(), static_cast<size_t>(n)) != n) {
        return Errno("write " + path);
      }
    }
    if (::fchmod(out.get(), mode) != 0) return Errno("chmod " + path);
  }
  return Status::Ok();
}

}  // namespace

Status CodeCache::Init() {
  RETURN_IF_ERROR(MakeDirs(dir_, 0755));
  DIR* dir = ::opendir(dir_.c_str());
  if (!dir) return Errno("opendir " + dir_);
  std::vector<std::string> stale;
  while (struct dirent* entry = ::readdir(dir)) {
    std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    // Half-unpacked leftovers of a crash, and packages no function names any more.
    if (name.rfind(".tmp-", 0) == 0 || !blobs_->Contains(name)) stale.push_back(name);
  }
  ::closedir(dir);
  for (const std::string& name : stale) RemoveTree(dir_ + "/" + name);
  return Status::Ok();
}

bool CodeCache::IsUnpacked(const std::string& blob) const {
  std::lock_guard lock(known_mu_);
  return unpacked_.count(blob) > 0;
}

StatusOr<std::string> CodeCache::Materialize(const std::string& blob) {
  std::string final_dir = dir_ + "/" + blob;
  if (IsUnpacked(blob)) return final_dir;
  auto known = [&]() -> StatusOr<std::string> {
    std::lock_guard lock(known_mu_);
    unpacked_.insert(blob);
    return final_dir;
  };
  if (::access(final_dir.c_str(), F_OK) == 0) return known();
  std::lock_guard lock(unpack_mu_);
  if (::access(final_dir.c_str(), F_OK) == 0) return known();
  ASSIGN_OR_RETURN(std::string zip, blobs_->Get(blob));
  std::string temp = dir_ + "/.tmp-" + blob;
  RemoveTree(temp);
  if (::mkdir(temp.c_str(), 0755) != 0) return Errno("mkdir " + temp);
  Status unpacked = Unpack(zip, temp);
  if (!unpacked.ok()) {
    RemoveTree(temp);
    return unpacked;
  }
  if (::rename(temp.c_str(), final_dir.c_str()) != 0) {
    Status s = Errno("rename " + temp);
    RemoveTree(temp);
    return s;
  }
  return known();
}

}  // namespace lamina::sandbox
