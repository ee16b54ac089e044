#include "init/init_main.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "init/init_server.h"
#include "init/seccomp_filter.h"
#include "init/setup.h"
#include "sandbox/fd_passing.h"
#include "sandbox/frame.h"

namespace lamina::init {
namespace {

using sandbox::FrameType;

// Setup failures cannot use the init server yet: report them straight on the daemon socket.
int ReportSetupFailure(const Status& status, int daemon_fd) {
  std::string frame;
  // A platform message: the daemon words it as AWS does ("RequestId: <id> Error: ...").
  sandbox::AppendFrame(FrameType::kInitError,
                       {"Sandbox.Failure", "sandbox setup: " + status.message(), "platform"},
                       frame);
  (void)!::write(daemon_fd, frame.data(), frame.size());
  std::fprintf(stderr, "lamina-init: %s\n", status.ToString().c_str());
  return 1;
}

// Waits for the daemon to assign this sandbox to a function (a spare may wait long): the frame,
// and the code's mount passed with it. Reads that one frame and nothing past it: what follows
// belongs to the init server. Sets the environment the runtime will inherit and the bootstrap to
// run. Nullopt when the daemon closed the socket instead; kInvalidArgument for a malformed
// assignment.
StatusOr<std::optional<Assignment>> AwaitAssignment(InitOptions& options) {
  char length_bytes[4];
  Assignment a;
  if (!sandbox::ReceiveWithDescriptor(options.daemon_fd, length_bytes, sizeof length_bytes,
                                      a.code)) {
    return std::optional<Assignment>();
  }
  uint32_t length = 0;
  for (int i = 3; i >= 0; --i) length = length << 8 | static_cast<unsigned char>(length_bytes[i]);
  if (length > sandbox::kMaxFrameBytes) return InvalidArgument("assignment frame too large");
  std::string bytes(length_bytes, sizeof length_bytes);
  bytes.resize(sizeof length_bytes + length);
  Fd none;  // the code came with the first bytes
  if (!sandbox::ReceiveWithDescriptor(options.daemon_fd, bytes.data() + sizeof length_bytes, length,
                                      none)) {
    return std::optional<Assignment>();
  }
  sandbox::FrameDecoder decoder;
  decoder.Feed(bytes.data(), bytes.size());
  bool bad = false;
  std::optional<sandbox::Frame> frame = decoder.Next(bad);
  if (!frame || frame->type != FrameType::kAssign || frame->fields.size() < 5 || !a.code) {
    return InvalidArgument("expected an assignment frame with the code");
  }
  auto& f = frame->fields;
  a.tmp_mb = std::atoi(f[0].c_str());
  a.uid = static_cast<uid_t>(std::strtoul(f[1].c_str(), nullptr, 10));
  a.gid = static_cast<gid_t>(std::strtoul(f[2].c_str(), nullptr, 10));
  a.hostname = f[3];
  size_t argc = std::strtoul(f[4].c_str(), nullptr, 10);
  if (argc == 0 || 5 + argc > f.size()) return InvalidArgument("assignment without a bootstrap");
  options.bootstrap.assign(f.begin() + 5, f.begin() + 5 + static_cast<ptrdiff_t>(argc));
  ::clearenv();
  for (size_t i = 5 + argc; i < f.size(); ++i) {
    size_t eq = f[i].find('=');
    if (eq == std::string::npos || eq == 0) continue;
    ::setenv(f[i].substr(0, eq).c_str(), f[i].c_str() + eq + 1, 1);
  }
  return std::optional<Assignment>(std::move(a));
}

}  // namespace

int Main(int argc, char** argv) {
  SandboxRoot root;
  InitOptions options;
  auto value = [&](int& i, std::string_view flag) -> const char* {
    if (i + 1 >= argc) {
      std::fprintf(stderr, "lamina-init: %s needs a value\n", std::string(flag).c_str());
      std::exit(2);
    }
    return argv[++i];
  };
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--root") {
      root.root = value(i, a);
    } else if (a == "--runtime") {
      root.runtime_dir = value(i, a);
    } else if (a == "--port") {
      options.port = static_cast<uint16_t>(std::atoi(value(i, a)));
    } else {
      std::fprintf(stderr, "lamina-init: unknown flag %s\n", argv[i]);
      return 2;
    }
  }
  // Without --root (a test harness), the process runs where it is, as whoever it is.
  const bool sandboxed = !root.root.empty();
  if (sandboxed) {
    if (Status s = PrepareSandbox(root); !s.ok()) return ReportSetupFailure(s, options.daemon_fd);
  }
  auto assignment = AwaitAssignment(options);
  if (!assignment.ok()) return ReportSetupFailure(assignment.status(), options.daemon_fd);
  if (!*assignment) return 0;  // the daemon let this spare go
  if (sandboxed) {
    if (Status s = EnterSandbox(**assignment); !s.ok()) {
      return ReportSetupFailure(s, options.daemon_fd);
    }
    // lamina-init and everything it starts run under the filter.
    if (Status s = InstallSeccompFilter(); !s.ok()) return ReportSetupFailure(s, options.daemon_fd);
  }
  return RunInitServer(options);
}

}  // namespace lamina::init
