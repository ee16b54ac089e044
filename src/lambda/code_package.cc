#include "lambda/code_package.h"

#include <sys/stat.h>
#include <zip.h>

#include <memory>
#include <vector>

#include "lambda/errors.h"

namespace lamina::lambda {
namespace {

constexpr char kUnzipError[] =
    "Could not unzip uploaded file. Please check your file, then try to upload again.";

struct ArchiveCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};
struct FileCloser {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};

// Whether `path`, relative to the package root, stays inside it once normalised.
bool StaysInside(const std::string& path) {
  if (path.empty() || path[0] == '/' || path.find('\\') != std::string::npos) return false;
  int depth = 0;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t next = path.find('/', pos);
    if (next == std::string::npos) next = path.size();
    std::string_view segment(path.data() + pos, next - pos);
    if (segment == "..") {
      if (--depth < 0) return false;
    } else if (!segment.empty() && segment != ".") {
      ++depth;
    }
    pos = next + 1;
  }
  return true;
}

}  // namespace

StatusOr<PackageInfo> InspectPackage(const std::string& zip) {
  PackageInfo info;
  info.zipped_bytes = static_cast<int64_t>(zip.size());
  // libzip reads zero bytes as a new, empty archive; an upload of nothing is no package.
  if (zip.empty()) return InvalidParameterValue(kUnzipError);
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(zip.data(), zip.size(), 0, &error);
  if (!source) return InvalidParameterValue(kUnzipError);
  std::unique_ptr<zip_t, ArchiveCloser> archive(
      zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &error));
  zip_error_fini(&error);
  if (!archive) {
    zip_source_free(source);
    return InvalidParameterValue(kUnzipError);
  }
  zip_int64_t entries = zip_get_num_entries(archive.get(), 0);
  if (entries < 0) return InvalidParameterValue(kUnzipError);
  if (entries > kMaxEntries) {
    return InvalidParameterValue("Uploaded file has " + std::to_string(entries) +
                                 " entries; Lamina accepts at most " + std::to_string(kMaxEntries) +
                                 ".");
  }
  info.entries = entries;

  std::vector<char> buffer(1 << 16);
  for (zip_int64_t i = 0; i < entries; ++i) {
    const char* raw_name =
        zip_get_name(archive.get(), static_cast<zip_uint64_t>(i), ZIP_FL_ENC_RAW);
    if (!raw_name) return InvalidParameterValue(kUnzipError);
    std::string name = raw_name;
    if (!StaysInside(name)) {
      return InvalidParameterValue(kUnzipError + std::string(" Entry '") + name +
                                   "' points outside the package.");
    }
    zip_uint8_t opsys = 0;
    zip_uint32_t attributes = 0;
    zip_file_get_external_attributes(archive.get(), static_cast<zip_uint64_t>(i), 0, &opsys,
                                     &attributes);
    bool is_symlink = opsys == ZIP_OPSYS_UNIX && ((attributes >> 16) & S_IFMT) == S_IFLNK;

    std::unique_ptr<zip_file_t, FileCloser> file(
        zip_fopen_index(archive.get(), static_cast<zip_uint64_t>(i), 0));
    if (!file) return InvalidParameterValue(kUnzipError);
    std::string link_target;
    // Read every byte: this checks each CRC and counts true sizes, whatever the headers claim.
    for (;;) {
      zip_int64_t n = zip_fread(file.get(), buffer.data(), buffer.size());
      if (n < 0) return InvalidParameterValue(kUnzipError);
      if (n == 0) break;
      info.unzipped_bytes += n;
      if (info.unzipped_bytes > kMaxUnzippedBytes) {
        return InvalidParameterValue("Unzipped size must be smaller than " +
                                     std::to_string(kMaxUnzippedBytes) + " bytes");
      }
      if (is_symlink) {
        link_target.append(buffer.data(), static_cast<size_t>(n));
        if (link_target.size() > 4096) return InvalidParameterValue(kUnzipError);
      }
    }
    if (is_symlink) {
      size_t slash = name.rfind('/');
      std::string dir = slash == std::string::npos ? "" : name.substr(0, slash + 1);
      if (link_target.empty() || link_target[0] == '/' || !StaysInside(dir + link_target)) {
        return InvalidParameterValue(kUnzipError + std::string(" Symbolic link '") + name +
                                     "' points outside the package.");
      }
    }
  }
  return info;
}

}  // namespace lamina::lambda
