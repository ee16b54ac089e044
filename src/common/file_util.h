// Small, durable file operations.
#pragma once

#include <string>

#include "common/status.h"

namespace lamina {

// Reads a whole file. NotFound when it does not exist.
Status ReadFile(const std::string& path, std::string& out);
// Writes `data` to a temp file beside `path`, fsyncs it, renames it over `path` and fsyncs the
// directory: after return the file is whole on disk, or the old one is. The file gets exactly
// `mode`, whatever the umask. Concurrent calls, even for the same path, are safe.
Status WriteFileDurably(const std::string& path, const std::string& data, int mode = 0644);
// mkdir -p with the given mode for created directories.
Status MakeDirs(const std::string& path, int mode = 0755);
// fsync of a directory, so renames and unlinks in it are durable.
Status SyncDir(const std::string& dir);

}  // namespace lamina
