#include "init/init_main.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "init/init_server.h"
#include "init/setup.h"
#include "sandbox/frame.h"

namespace lamina::init {
namespace {

// Setup failures cannot use the init server yet: report them straight on the daemon socket.
int ReportSetupFailure(const Status& status, int daemon_fd) {
  std::string frame;
  // A platform message: the daemon words it as AWS does ("RequestId: <id> Error: ...").
  sandbox::AppendFrame(sandbox::FrameType::kInitError,
                       {"Sandbox.Failure", "sandbox setup: " + status.message(), "platform"},
                       frame);
  (void)!::write(daemon_fd, frame.data(), frame.size());
  std::fprintf(stderr, "lamina-init: %s\n", status.ToString().c_str());
  return 1;
}

}  // namespace

int Main(int argc, char** argv) {
  SetupOptions setup;
  InitOptions options;
  bool sandboxed = false;
  int i = 1;
  auto value = [&](std::string_view flag) -> const char* {
    if (i + 1 >= argc) {
      std::fprintf(stderr, "lamina-init: %s needs a value\n", std::string(flag).c_str());
      std::exit(2);
    }
    return argv[++i];
  };
  for (; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--") {
      ++i;
      break;
    } else if (a == "--root") {
      setup.root = value(a);
      sandboxed = true;
    } else if (a == "--task") {
      setup.task_dir = value(a);
    } else if (a == "--runtime") {
      setup.runtime_dir = value(a);
    } else if (a == "--tmp-mb") {
      setup.tmp_mb = std::atoi(value(a));
    } else if (a == "--uid") {
      setup.uid = static_cast<uid_t>(std::strtoul(value(a), nullptr, 10));
    } else if (a == "--gid") {
      setup.gid = static_cast<gid_t>(std::strtoul(value(a), nullptr, 10));
    } else if (a == "--hostname") {
      setup.hostname = value(a);
    } else if (a == "--port") {
      options.port = static_cast<uint16_t>(std::atoi(value(a)));
    } else {
      std::fprintf(stderr, "lamina-init: unknown flag %s\n", argv[i]);
      return 2;
    }
  }
  for (; i < argc; ++i) options.bootstrap.emplace_back(argv[i]);
  if (options.bootstrap.empty()) {
    std::fprintf(stderr, "lamina-init: no bootstrap given after --\n");
    return 2;
  }
  if (sandboxed) {
    Status s = SetUpSandbox(setup);
    if (!s.ok()) return ReportSetupFailure(s, options.daemon_fd);
  }
  return RunInitServer(options);
}

}  // namespace lamina::init
