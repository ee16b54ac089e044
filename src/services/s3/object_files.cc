#include "services/s3/object_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/crypto.h"
#include "common/file_util.h"
#include "common/log.h"

namespace lamina::services::s3 {
namespace {

Status Errno(std::string what) {
  return Internal(std::move(what) + ": " + std::strerror(errno), "InternalError");
}

std::string NewName() { return HexEncode(UniqueBytes(16)); }

// Reads the bytes of a list of segments from an offset. Every file is opened up front, so a
// concurrent overwrite that removes them cannot cut a read short.
class SegmentSource final : public http::BodySource {
 public:
  SegmentSource(std::vector<Segment> segments, std::vector<Fd> fds, uint64_t offset,
                uint64_t length)
      : segments_(std::move(segments)), fds_(std::move(fds)), offset_(offset), length_(length) {}

  uint64_t size() const override { return length_; }

  Status Read(char* buffer, size_t capacity, size_t& read) override {
    read = 0;
    while (read == 0 && done_ < length_) {
      // Skip to the segment that holds offset_.
      while (index_ < segments_.size() && offset_ >= segments_[index_].size) {
        offset_ -= segments_[index_].size;
        fds_[index_].Reset();
        ++index_;
      }
      if (index_ == segments_.size()) return Internal("an object is shorter than its size");
      uint64_t want =
          std::min<uint64_t>({capacity, length_ - done_, segments_[index_].size - offset_});
      ssize_t n = ::pread(fds_[index_].get(), buffer, want, static_cast<off_t>(offset_));
      if (n < 0) {
        if (errno == EINTR) continue;
        return Errno("read object file");
      }
      if (n == 0) return Internal("an object file is shorter than its segment");
      read = static_cast<size_t>(n);
      offset_ += read;
      done_ += read;
    }
    return Status::Ok();
  }

 private:
  std::vector<Segment> segments_;
  std::vector<Fd> fds_;
  size_t index_ = 0;
  uint64_t offset_;  // within segments_[index_] once skipped to
  uint64_t length_;
  uint64_t done_ = 0;
};

}  // namespace

std::string ObjectFiles::PathOf(std::string_view name) const {
  return dir_ + "/objects/" + std::string(name.substr(0, 2)) + "/" + std::string(name);
}

Status ObjectFiles::Init() {
  RETURN_IF_ERROR(MakeDirs(dir_ + "/tmp", 0700));
  static const char kHex[] = "0123456789abcdef";
  for (int i = 0; i < 256; ++i) {
    RETURN_IF_ERROR(MakeDirs(dir_ + "/objects/" + kHex[i / 16] + kHex[i % 16], 0700));
  }
  DIR* tmp = ::opendir((dir_ + "/tmp").c_str());
  if (!tmp) return Errno("open " + dir_ + "/tmp");
  int removed = 0;
  while (dirent* entry = ::readdir(tmp)) {
    if (entry->d_name[0] == '.') continue;
    if (::unlinkat(::dirfd(tmp), entry->d_name, 0) == 0) ++removed;
  }
  ::closedir(tmp);
  if (removed) log::Info("removed interrupted uploads", {{"files", std::to_string(removed)}});
  return Status::Ok();
}

StatusOr<ObjectFiles::Writer> ObjectFiles::NewWriter() const {
  std::string path = dir_ + "/tmp/" + NewName();
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd) return Errno("create " + path);
  return Writer(this, std::move(path), std::move(fd));
}

ObjectFiles::Writer::Writer(const ObjectFiles* files, std::string temp_path, Fd fd)
    : files_(files), temp_path_(std::move(temp_path)), fd_(std::move(fd)) {}

ObjectFiles::Writer::~Writer() {
  if (!temp_path_.empty()) ::unlink(temp_path_.c_str());
}

Status ObjectFiles::Writer::Write(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd_.get(), bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("write object file");
    }
    bytes.remove_prefix(static_cast<size_t>(n));
    size_ += static_cast<uint64_t>(n);
  }
  // Start writing back what is written so far (without waiting), so that the fsync that places
  // a large body finds little left to write: disk and network work at once.
  constexpr uint64_t kWriteBackEvery = 8 * 1024 * 1024;
  if (size_ - written_back_ >= kWriteBackEvery) {
    ::sync_file_range(fd_.get(), static_cast<off_t>(written_back_),
                      static_cast<off_t>(size_ - written_back_), SYNC_FILE_RANGE_WRITE);
    written_back_ = size_;
  }
  return Status::Ok();
}

StatusOr<Segment> ObjectFiles::Writer::Place() {
  if (::fsync(fd_.get()) != 0) return Errno("fsync object file");
  fd_.Reset();
  std::string name = NewName();
  std::string path = files_->PathOf(name);
  if (::rename(temp_path_.c_str(), path.c_str()) != 0) return Errno("place object file");
  temp_path_.clear();
  RETURN_IF_ERROR(SyncDir(path.substr(0, path.rfind('/'))));
  return Segment{std::move(name), size_};
}

StatusOr<Segment> ObjectFiles::Link(const Segment& segment) const {
  std::string name = NewName();
  std::string path = PathOf(name);
  if (::link(PathOf(segment.file).c_str(), path.c_str()) != 0) return Errno("link object file");
  RETURN_IF_ERROR(SyncDir(path.substr(0, path.rfind('/'))));
  return Segment{std::move(name), segment.size};
}

void ObjectFiles::Remove(const std::vector<Segment>& segments) const {
  for (const Segment& s : segments) {
    if (::unlink(PathOf(s.file).c_str()) != 0 && errno != ENOENT) {
      log::Warn("cannot remove an object file",
                {{"file", s.file}, {"error", std::strerror(errno)}});
    }
  }
}

StatusOr<std::shared_ptr<http::BodySource>> ObjectFiles::Read(std::vector<Segment> segments,
                                                              uint64_t offset,
                                                              uint64_t length) const {
  std::vector<Fd> fds;
  fds.reserve(segments.size());
  for (const Segment& s : segments) {
    Fd fd(::open(PathOf(s.file).c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
      if (errno == ENOENT) return NotFound("an object file is gone (replaced meanwhile)");
      return Errno("open object file");
    }
    fds.push_back(std::move(fd));
  }
  return std::shared_ptr<http::BodySource>(
      std::make_shared<SegmentSource>(std::move(segments), std::move(fds), offset, length));
}

Status ObjectFiles::ReadInto(const std::vector<Segment>& segments, uint64_t offset, uint64_t length,
                             std::string& out) const {
  ASSIGN_OR_RETURN(std::shared_ptr<http::BodySource> source, Read(segments, offset, length));
  size_t start = out.size();
  out.resize(start + length);
  uint64_t done = 0;
  while (done < length) {
    size_t n = 0;
    RETURN_IF_ERROR(source->Read(out.data() + start + done, length - done, n));
    if (n == 0) return Internal("an object is shorter than its size");
    done += n;
  }
  return Status::Ok();
}

}  // namespace lamina::services::s3
