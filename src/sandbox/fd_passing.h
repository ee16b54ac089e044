// Passing a descriptor along a Unix stream socket (SCM_RIGHTS). The daemon hands a sandbox its
// function's code this way: a detached read-only mount of the code directory, which lamina-init
// attaches at /var/task long after its root was switched and the host's tree became unreachable.
#pragma once

#include <cstddef>
#include <string_view>

#include "common/fd.h"
#include "common/status.h"

namespace lamina::sandbox {

// Writes all of `bytes` on `socket` (waiting for room when it is non-blocking), `fd` travelling
// with the first byte.
Status SendWithDescriptor(int socket, std::string_view bytes, int fd);

// Reads exactly `n` bytes from blocking socket `socket`. A descriptor that came with them is
// stored in `fd` (close-on-exec). False at the end of the stream or on an error.
bool ReceiveWithDescriptor(int socket, char* out, size_t n, Fd& fd);

}  // namespace lamina::sandbox
