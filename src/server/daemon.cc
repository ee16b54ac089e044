#include "server/daemon.h"

#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <thread>

#include "auth/credentials.h"
#include "common/file_util.h"
#include "common/log.h"
#include "http/server.h"
#include "lambda/lambda_service.h"
#include "server/edge.h"
#include "services/iam/iam_service.h"
#include "services/iam/sts_service.h"
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

}  // namespace

int RunDaemon(const DaemonOptions& options) {
  // Block the stop signals in every thread; one thread waits for them with sigwait.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

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

  SystemClock clock;
  services::iam::IamService iam(store->get(), &clock);
  services::iam::StsService sts;
  lambda::LambdaService lambda_service(store->get(), &blobs, &clock, &admin->admin(), &iam);

  EdgeOptions edge_options;
  edge_options.region = options.region;
  edge_options.account_id = options.account_id;
  edge_options.auth_enabled = options.auth_enabled;
  Edge edge(edge_options, &admin.value(), &clock);
  edge.AddService(&lambda_service);
  edge.AddService(&iam);
  edge.AddService(&sts);

  http::ServerOptions server_options;
  server_options.host = options.host;
  server_options.port = options.port;
  http::Server server(server_options, &edge);
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
    server.Stop();
  });
  server.Run();  // returns once stopped and every in-flight request is answered
  edge.Drain();
  // Wake the signal thread if the server stopped for another reason.
  pthread_kill(signals.native_handle(), SIGTERM);
  signals.join();
  log::Info("stopped");
  return 0;
}

}  // namespace lamina::server
