#include "cli/main.h"

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <string>

#include "common/log.h"
#include "server/daemon.h"

namespace lamina::cli {
namespace {

std::string DefaultDataDir() {
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg) {
    return std::string(xdg) + "/lamina";
  }
  if (const char* home = std::getenv("HOME"); home && *home) {
    return std::string(home) + "/.local/share/lamina";
  }
  return "/var/lib/lamina";
}

}  // namespace

int Main(int argc, char** argv) {
  CLI::App app{"Lamina: a self-hosted, AWS-Lambda-compatible serverless platform", "lamina"};
  app.set_version_flag("--version", std::string("lamina ") + LAMINA_VERSION);
  app.require_subcommand(1);

  server::DaemonOptions options;
  options.data_dir = DefaultDataDir();
  std::string auth = "on";
  std::string log_level = "info";
  CLI::App* serve = app.add_subcommand("serve", "Run the Lamina daemon");
  serve->add_option("--host", options.host, "Address to bind")->capture_default_str();
  serve->add_option("--port", options.port, "Port for every service")->capture_default_str();
  serve->add_option("--data-dir", options.data_dir, "Where state is kept")->capture_default_str();
  serve->add_option("--region", options.region, "AWS region served")->capture_default_str();
  serve->add_option("--account-id", options.account_id, "AWS account id (12 digits)")
      ->capture_default_str()
      ->check([](const std::string& v) {
        if (v.size() != 12 || v.find_first_not_of("0123456789") != std::string::npos) {
          return std::string("must be 12 digits");
        }
        return std::string();
      });
  serve->add_option("--auth", auth, "Verify SigV4 signatures (off: accept any credentials)")
      ->capture_default_str()
      ->check(CLI::IsMember({"on", "off"}));
  double keep_alive_s = 600;
  serve
      ->add_option("--keep-alive", keep_alive_s,
                   "Seconds an idle execution environment is kept before it is reaped")
      ->capture_default_str()
      ->check(CLI::Range(0.01, 86400.0));
  serve
      ->add_option("--spare-sandboxes", options.spare_sandboxes,
                   "Blank sandboxes kept ready so that cold starts skip building one")
      ->capture_default_str()
      ->check(CLI::Range(0, 64));
  serve
      ->add_option("--concurrency-limit", options.concurrency_limit,
                   "The account's concurrent executions (AWS's default: 1000)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  serve
      ->add_option("--scaling-rate", options.scale_per_10s,
                   "New execution environments per function per 10 s (AWS's: 1000)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  serve
      ->add_option("--memory-budget", options.memory_budget_mb,
                   "MB of memory all execution environments may take together (0: three "
                   "quarters of the machine's)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 40));
  serve
      ->add_option("--credentials-ttl", options.credentials_ttl_s,
                   "Seconds an execution environment's role credentials are valid; environments "
                   "are replaced before theirs expire")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{10}, int64_t{43200}));
  serve
      ->add_option("--outbound-network", options.outbound_network,
                   "Which functions may reach beyond their sandbox (not the host's loopback): "
                   "none, tagged (those tagged lamina:outbound-network=true) or all")
      ->capture_default_str()
      ->check(CLI::IsMember({"none", "tagged", "all"}));
  serve
      ->add_option("--async-retry-delays", options.async_retry_delays_ms,
                   "Milliseconds before the 2nd and before the 3rd attempt of an asynchronous "
                   "event after a function error (AWS: 1 and 2 minutes)")
      ->capture_default_str()
      ->expected(2)
      ->delimiter(',')
      ->check(CLI::Range(int64_t{0}, int64_t{21'600'000}));
  serve
      ->add_option("--async-backoff-max", options.async_backoff_max_ms,
                   "The longest wait, in milliseconds, of an asynchronous event after throttles "
                   "(it doubles from 1 s; AWS: 5 minutes)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1000}, int64_t{3'600'000}));
  serve->add_option("--log-level", log_level, "debug, info, warn or error")
      ->capture_default_str()
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}));

  CLI11_PARSE(app, argc, argv);

  log::SetLevel(log_level);
  options.auth_enabled = auth == "on";
  options.keep_alive_ms = static_cast<int64_t>(keep_alive_s * 1000);
  if (serve->parsed()) return server::RunDaemon(options);
  return 0;
}

}  // namespace lamina::cli
