#include "server/daemon.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <thread>

#include "auth/credentials.h"
#include "auth/session_credentials.h"
#include "common/fd.h"
#include "common/file_util.h"
#include "common/log.h"
#include "http/server.h"
#include "invoke/async_log_sink.h"
#include "invoke/concurrency_limits.h"
#include "invoke/event_queue.h"
#include "invoke/invoker.h"
#include "lambda/lambda_service.h"
#include "sandbox/cgroup.h"
#include "sandbox/code_cache.h"
#include "scheduler/scheduler.h"
#include "server/edge.h"
#include "services/iam/iam_service.h"
#include "services/iam/role_sessions.h"
#include "services/iam/sts_service.h"
#include "services/logs/logs_service.h"
#include "services/logs/sqlite_log_store.h"
#include "services/s3/object_store.h"
#include "services/s3/s3_service.h"
#include "store/blob_store.h"
#include "store/sqlite_store.h"

namespace lamina::server {
namespace {

void PrintUsage(const DaemonOptions& options, const auth::AdminCredentials& admin, uint16_t port,
                bool created) {
  std::string endpoint = "http://" + options.host + ":" + std::to_string(port);
  std::string text = created ? "Lamina created an administrator key for this data directory.\n"
                             : "Lamina is using the administrator key of this data directory.\n";
  text +=
      "Use it with the AWS CLI or an SDK:\n"
      "  export AWS_SHARED_CREDENTIALS_FILE=" +
      admin.credentials_path() + "\n  export AWS_DEFAULT_REGION=" + options.region +
      "\n  aws --endpoint-url " + endpoint + " lambda list-functions\n";
  if (!options.auth_enabled) {
    text +=
        "WARNING: --auth=off: any well-formed credentials are accepted. Use this only for "
        "throwaway local work.\n";
  }
  std::fputs(text.c_str(), stderr);
}

struct Sandboxes {
  std::unique_ptr<sandbox::CgroupHost> cgroups;
  scheduler::SchedulerOptions options;
};

// Finds lamina-init and the runtimes beside this binary, the cgroup hierarchies, and makes the
// directories sandboxes are built from.
StatusOr<Sandboxes> PrepareSandboxes(const DaemonOptions& options, sandbox::CodeCache& code) {
  char self[4096];
  ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return Internal("cannot find this binary");
  std::string dir(self, static_cast<size_t>(n));
  dir = dir.substr(0, dir.rfind('/'));
  Sandboxes out;
  out.options.paths.init_binary = dir + "/lamina-init";
  out.options.paths.runtime_dir = dir + "/runtimes";
  out.options.paths.root_dir = options.data_dir + "/sandbox-root";
  out.options.keep_alive = std::chrono::milliseconds(options.keep_alive_ms);
  out.options.spare_sandboxes = options.spare_sandboxes;
  out.options.scale_per_10s = options.scale_per_10s;
  out.options.memory_budget_mb = options.memory_budget_mb;
  out.options.outbound_network =
      options.outbound_network == "all"    ? scheduler::OutboundNetwork::kAll
      : options.outbound_network == "none" ? scheduler::OutboundNetwork::kNone
                                           : scheduler::OutboundNetwork::kTagged;
  if (out.options.memory_budget_mb == 0) {
    long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
    out.options.memory_budget_mb = static_cast<int64_t>(pages) * page / (1024 * 1024) * 3 / 4;
  }
  if (::access(out.options.paths.init_binary.c_str(), X_OK) != 0) {
    return Internal("no lamina-init beside " + std::string(self));
  }
  if (::geteuid() != 0) return Internal("sandboxes need root (namespaces, cgroups, mounts)");
  RETURN_IF_ERROR(MakeDirs(out.options.paths.root_dir, 0755));
  RETURN_IF_ERROR(code.Init());
  ASSIGN_OR_RETURN(out.cgroups, sandbox::CgroupHost::Detect());
  return out;
}

// Hands the invoke path's log lines to the log store. A failed append is logged, not returned:
// an invocation's result does not depend on its logs.
class LogStoreSink final : public invoke::LogSink {
 public:
  explicit LogStoreSink(services::logs::LogStore* store) : store_(store) {}
  void Append(const std::string& group, const std::string& stream,
              std::vector<scheduler::LogLine> lines) override {
    AppendBatch({Batch{group, stream, std::move(lines)}});
  }
  void AppendBatch(const std::vector<Batch>& batches) override {
    std::vector<services::logs::LogAppend> appends;
    appends.reserve(batches.size());
    for (const Batch& b : batches) {
      services::logs::LogAppend& a = appends.emplace_back();
      a.group = b.group;
      a.stream = b.stream;
      for (const scheduler::LogLine& line : b.lines) {
        a.events.push_back({line.timestamp_ms, line.message});
      }
    }
    if (Status s = store_->AppendBatch(appends); !s.ok()) {
      log::Warn("cannot store function logs", {{"error", s.ToString()}});
    }
  }

 private:
  services::logs::LogStore* store_;
};

}  // namespace

int RunDaemon(const DaemonOptions& options) {
  // Block the stop signals in every thread; one thread waits for them with sigwait.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  // The kernel's OOM killer must never pick the daemon: it takes the functions first (their
  // sandboxes set the opposite extreme, sandbox_process.cc). Only root may lower this.
  if (::geteuid() == 0) {
    Fd adj(::open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC));
    if (!adj || ::write(adj.get(), "-1000", 5) != 5) {
      log::Warn("cannot protect the daemon from the OOM killer", {{"error", std::strerror(errno)}});
    }
  }

  Status made = MakeDirs(options.data_dir, 0700);
  if (!made.ok()) {
    log::Error("cannot create data dir", {{"error", made.ToString()}});
    return 1;
  }
  bool created = false;
  auto admin = auth::AdminCredentials::LoadOrCreate(options.data_dir, options.account_id, &created);
  if (!admin.ok()) {
    log::Error("cannot load credentials", {{"error", admin.status().ToString()}});
    return 1;
  }
  SystemClock clock;
  auto sessions = auth::SessionCredentials::LoadOrCreate(options.data_dir, &clock);
  if (!sessions.ok()) {
    log::Error("cannot load the session key", {{"error", sessions.status().ToString()}});
    return 1;
  }
  auth::Keyring keyring(&admin.value(), &sessions.value());
  auto store = store::SqliteStore::Open(options.data_dir + "/lamina.db");
  if (!store.ok()) {
    log::Error("cannot open store", {{"error", store.status().ToString()}});
    return 1;
  }
  store::BlobStore blobs(options.data_dir + "/blobs");
  if (Status s = blobs.Init(); !s.ok()) {
    log::Error("cannot open blob store", {{"error", s.ToString()}});
    return 1;
  }

  auto log_store = services::logs::SqliteLogStore::Open(
      options.data_dir + "/logs.db", services::logs::SqliteLogStoreOptions{}, &clock);
  if (!log_store.ok()) {
    log::Error("cannot open log store", {{"error", log_store.status().ToString()}});
    return 1;
  }
  LogStoreSink store_sink(log_store->get());
  invoke::AsyncLogSink log_sink(&store_sink);
  services::logs::LogsService logs(log_store->get(), &clock, [&log_sink] { log_sink.Flush(); });
  services::iam::IamService iam(store->get(), &clock);
  services::iam::StsService sts(store->get(), &clock, &sessions.value());

  // The daemon's event loop: every socket (HTTP and execution environments) and the scheduler
  // live on it, so a warm invocation runs start to finish on this one thread.
  boost::asio::io_context io(1);
  // Running functions needs cgroups, namespaces and lamina-init beside this binary; without them
  // the daemon still stores and serves everything else.
  sandbox::CodeCache code(options.data_dir + "/code", &blobs);
  std::unique_ptr<sandbox::CgroupHost> cgroups;
  std::unique_ptr<scheduler::Scheduler> scheduler;
  std::unique_ptr<invoke::Invoker> invoker;
  http::Server* server_ptr = nullptr;  // set once the server exists
  services::iam::RoleSessions role_sessions(store->get(), &clock, &sessions.value(), &iam);
  if (auto sandboxes = PrepareSandboxes(options, code); sandboxes.ok()) {
    // Each environment gets its function's role credentials, AWS's session named after the
    // function.
    sandboxes->options.issue_credentials =
        [&role_sessions,
         ttl_ms = options.credentials_ttl_s * 1000](scheduler::FunctionSpec& spec) -> Status {
      ASSIGN_OR_RETURN(auth::Credential c, role_sessions.Issue(spec.role_arn, spec.name, ttl_ms));
      spec.access_key_id = std::move(c.access_key_id);
      spec.secret_access_key = std::move(c.secret_access_key);
      spec.session_token = std::move(c.session_token);
      spec.credentials_expire_ms = c.expires_ms;
      return Status::Ok();
    };
    // Functions' calls to the AWS endpoint in their sandboxes are served like any other request,
    // marked with the calling function.
    sandboxes->options.relay = [&server_ptr](Fd socket, const scheduler::FunctionSpec& spec,
                                             std::shared_ptr<void> hold) {
      if (server_ptr) server_ptr->Adopt(socket.Release(), spec.arn, std::move(hold));
    };
    cgroups = std::move(sandboxes->cgroups);
    scheduler = std::make_unique<scheduler::Scheduler>(sandboxes->options, cgroups.get(), io);
    invoker = std::make_unique<invoke::Invoker>(scheduler.get(), &log_sink);
  } else {
    log::Warn("functions cannot run on this host", {{"error", sandboxes.status().ToString()}});
  }
  invoke::ConcurrencyLimits concurrency(options.concurrency_limit);
  lambda::LambdaService lambda_service(store->get(), &blobs, &clock, &admin->admin(), &iam,
                                       invoker.get(), invoker ? &code : nullptr, &concurrency);
  // Asynchronous invocations wait in a queue of their own beside the store.
  auto events = invoke::EventQueue::Open(options.data_dir + "/events.db");
  if (!events.ok()) {
    log::Error("cannot open the event queue", {{"error", events.status().ToString()}});
    return 1;
  }
  if (invoker) {
    lambda::AsyncOptions async;
    async.region = options.region;
    async.account_id = options.account_id;
    async.retry_delays_ms = options.async_retry_delays_ms;
    async.backoff_max_ms = options.async_backoff_max_ms;
    if (Status s = lambda_service.StartAsync(events->get(), io, async); !s.ok()) {
      log::Error("cannot resume queued events", {{"error", s.ToString()}});
      return 1;
    }
  }

  auto objects = services::s3::ObjectStore::Open(options.data_dir + "/s3");
  if (!objects.ok()) {
    log::Error("cannot open the object store", {{"error", objects.status().ToString()}});
    return 1;
  }
  auto s3_targets = lambda_service.NewS3EventTargets(options.region, options.account_id);
  services::s3::S3Service s3(objects->get(), &clock, invoker ? s3_targets.get() : nullptr);

  EdgeOptions edge_options;
  edge_options.region = options.region;
  edge_options.account_id = options.account_id;
  edge_options.auth_enabled = options.auth_enabled;
  Edge edge(edge_options, &keyring, &clock, iam.authorizer());
  edge.AddService(&lambda_service);
  edge.AddService(&iam);
  edge.AddService(&sts);
  edge.AddService(&logs);
  edge.AddService(&s3);

  http::ServerOptions server_options;
  server_options.host = options.host;
  server_options.port = options.port;
  http::Server server(io, server_options, &edge);
  server_ptr = &server;
  if (Status s = server.Listen(); !s.ok()) {
    log::Error("cannot listen", {{"error", s.ToString()}});
    return 1;
  }
  PrintUsage(options, *admin, server.port(), created);
  log::Info("lamina serving", {{"address", options.host + ":" + std::to_string(server.port())},
                               {"data_dir", options.data_dir},
                               {"region", options.region},
                               {"account", options.account_id},
                               {"auth", options.auth_enabled ? "on" : "off"},
                               {"version", LAMINA_VERSION}});

  std::thread signals([&] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    log::Info("stopping", {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"}});
    // In-flight requests are answered first; then the environments go, and with nothing left
    // pending on the loop, io.run() returns.
    server.Stop([&] {
      lambda_service.StopAsync();
      if (scheduler) scheduler->Shutdown();
    });
  });
  server.Start();
  io.run();
  edge.Drain();
  // Wake the signal thread if the server stopped for another reason.
  pthread_kill(signals.native_handle(), SIGTERM);
  signals.join();
  log::Info("stopped");
  return 0;
}

}  // namespace lamina::server
