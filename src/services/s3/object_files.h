// Object bodies on disk: `<dir>/objects/<xx>/<name>`, each file immutable once placed (an
// overwrite places a new file and removes the old one after the new metadata is committed), so a
// reader that opened a file reads one whole body whatever writers do meanwhile.
//
// A body is written into `<dir>/tmp` and placed with fsync, rename and a directory fsync: after
// Place the bytes survive kill -9 and power loss, and a crash before leaves only a temp file,
// which the next start removes. Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/fd.h"
#include "common/status.h"
#include "http/message.h"

namespace lamina::services::s3 {

// A stretch of an object's bytes: one placed file (a simple upload's body, or a multipart
// upload's part).
struct Segment {
  std::string file;
  uint64_t size = 0;
};

class ObjectFiles {
 public:
  explicit ObjectFiles(std::string dir) : dir_(std::move(dir)) {}
  // Creates the directories and removes the temp files of uploads a crash interrupted.
  Status Init();

  // A body being written. Removed when destroyed unless placed.
  class Writer {
   public:
    Writer(const ObjectFiles* files, std::string temp_path, Fd fd);
    Writer(Writer&& other) noexcept
        : files_(other.files_),
          temp_path_(std::exchange(other.temp_path_, std::string())),
          fd_(std::move(other.fd_)),
          size_(other.size_),
          written_back_(other.written_back_) {}
    Writer& operator=(Writer&&) = delete;
    ~Writer();
    Status Write(std::string_view bytes);
    uint64_t size() const { return size_; }
    // Makes the body durable and gives it its final name; returns the segment.
    StatusOr<Segment> Place();

   private:
    const ObjectFiles* files_;
    std::string temp_path_;  // empty once placed
    Fd fd_;
    uint64_t size_ = 0;
    uint64_t written_back_ = 0;  // bytes whose write-back has been started
  };
  StatusOr<Writer> NewWriter() const;

  // A second name for a placed file's bytes (a copy that shares them): a hard link, placed.
  StatusOr<Segment> Link(const Segment& segment) const;
  // Removes placed files (those of a replaced or deleted object). Best effort: a file left
  // behind costs space, not correctness.
  void Remove(const std::vector<Segment>& segments) const;

  // Reads bytes [offset, offset + length) of the body made of `segments`, in order. Opens every
  // file at once: NotFound when one is gone (the object was replaced meanwhile: read it again).
  StatusOr<std::shared_ptr<http::BodySource>> Read(std::vector<Segment> segments, uint64_t offset,
                                                   uint64_t length) const;
  // Reads them whole into memory (small ranges, copies).
  Status ReadInto(const std::vector<Segment>& segments, uint64_t offset, uint64_t length,
                  std::string& out) const;

  std::string PathOf(std::string_view name) const;

 private:
  std::string dir_;
};

}  // namespace lamina::services::s3
