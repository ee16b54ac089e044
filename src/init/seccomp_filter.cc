#include "init/seccomp_filter.h"

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iterator>
#include <string>

namespace lamina::init {
namespace {

// Generated at build time by lamina-seccomp-gen.
const sock_filter kProgram[] = {
#include "seccomp_program.inc"
};

}  // namespace

Status InstallSeccompFilter() {
  sock_fprog prog{static_cast<unsigned short>(std::size(kProgram)),
                  const_cast<sock_filter*>(kProgram)};
  if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) {
    return Internal(std::string("seccomp: install: ") + std::strerror(errno), "Sandbox.Failure");
  }
  return Status::Ok();
}

}  // namespace lamina::init
