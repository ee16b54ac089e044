// lamina-bench: a load generator for Lamina's Invoke path. Every request is SigV4-signed, as the
// SDKs sign them, over keep-alive HTTP/1.1 connections.
//
//   lamina-bench --endpoint 127.0.0.1:4566 --credentials DIR/credentials --function NAME
//                --mode warm|throughput|cold|async [--requests N] [--clients C] [--seconds S]
//                [--events-db DATA_DIR/events.db]
//
// warm: one client, N sequential invokes, latency percentiles.
// throughput: C clients for S seconds, invokes/s and latency percentiles, after --warmup seconds
//       of the same load that are not counted (the scale-out to C environments happens there).
// cold: N cold starts, each forced by a configuration change (which retires the function's
//       environments); client latency and the Init Duration the REPORT line gives.
// async: C clients send N Event invokes between them: events accepted per second (each 202 means
//       the event is durably queued) and accept latency; then, watching the queue (--events-db),
//       events processed per second end to end, from the first send until the queue is empty.
//       (--no-wait: only the accepting.)
// drain: lifts the function's reserved concurrency (which held its events back) and reports the
//       queued events processed per second until the queue is empty.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "auth/credentials.h"
#include "auth/sigv4.h"
#include "bench_http.h"
#include "common/clock.h"
#include "common/crypto.h"
#include "store/sqlite_db.h"

namespace {

using namespace lamina;
using namespace lamina::bench;

struct Options {
  std::string endpoint = "127.0.0.1:4566";
  std::string credentials;
  std::string function;
  std::string mode = "warm";
  std::string region = "us-east-1";
  int requests = 1000;
  int clients = 1;
  double seconds = 5;
  double warmup = 1;
  std::string events_db;
  int payload_bytes = 0;
  bool no_wait = false;
};

std::string InvokePath(const Options& o) {
  return "/2015-03-31/functions/" + o.function + "/invocations";
}

bool Invoke(Connection& c, const Options& o, const auth::Credential& cred, bool tail,
            std::string& head, std::string& body) {
  std::vector<std::pair<std::string, std::string>> headers;
  if (tail) headers.emplace_back("x-amz-log-type", "Tail");
  int status = c.Send("POST", InvokePath(o), "{}", headers, cred, o.region, head, body);
  if (status != 200 || strcasestr(head.c_str(), "x-amz-function-error")) {
    std::fprintf(stderr, "invoke failed (%d): %s\n", status, body.c_str());
    return false;
  }
  return true;
}

int Warm(const Options& o, const auth::Credential& cred) {
  Connection c(o.endpoint);
  std::string head, body;
  for (int i = 0; i < 20; ++i) {
    if (!Invoke(c, o, cred, false, head, body)) return 1;  // warm up
  }
  std::vector<double> ms;
  for (int i = 0; i < o.requests; ++i) {
    auto t = SteadyClock::now();
    if (!Invoke(c, o, cred, false, head, body)) return 1;
    ms.push_back(Since(t));
  }
  PrintLatency("warm invoke", ms);
  return 0;
}

int Throughput(const Options& o, const auth::Credential& cred) {
  std::atomic<bool> failed{false};
  std::vector<std::vector<double>> per_client(static_cast<size_t>(o.clients));
  auto start = SteadyClock::now() + std::chrono::duration<double>(o.warmup);
  auto deadline = start + std::chrono::duration<double>(o.seconds);
  std::vector<std::thread> threads;
  for (int i = 0; i < o.clients; ++i) {
    threads.emplace_back([&, i] {
      Connection c(o.endpoint);
      std::string head, body;
      while (SteadyClock::now() < deadline && !failed) {
        auto t = SteadyClock::now();
        if (!Invoke(c, o, cred, false, head, body)) failed = true;
        // Only invocations that started and ended inside the measured window count.
        if (t >= start && SteadyClock::now() <= deadline) {
          per_client[static_cast<size_t>(i)].push_back(Since(t));
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  double elapsed_s = o.seconds;
  std::vector<double> all;
  for (auto& v : per_client) all.insert(all.end(), v.begin(), v.end());
  std::printf("throughput: clients=%d invokes=%zu %.0f invokes/s\n", o.clients, all.size(),
              static_cast<double>(all.size()) / elapsed_s);
  PrintLatency("  latency", all);
  return failed ? 1 : 0;
}

int Cold(const Options& o, const auth::Credential& cred) {
  Connection c(o.endpoint);
  std::vector<double> client_ms, init_ms;
  std::string head, body;
  for (int i = 0; i < o.requests; ++i) {
    // A configuration change retires the function's environments: the next invoke is cold.
    std::string config = "{\"Description\":\"bench " + std::to_string(i) + "\"}";
    int status = c.Send("PUT", "/2015-03-31/functions/" + o.function + "/configuration", config, {},
                        cred, o.region, head, body);
    if (status != 200) {
      std::fprintf(stderr, "update failed (%d): %s\n", status, body.c_str());
      return 1;
    }
    auto t = SteadyClock::now();
    if (!Invoke(c, o, cred, true, head, body)) return 1;
    client_ms.push_back(Since(t));
    const char* tail = strcasestr(head.c_str(), "\r\nx-amz-log-result:");
    std::string log;
    if (tail) {
      tail += 19;
      while (*tail == ' ') ++tail;
      Base64Decode(std::string(tail, std::strcspn(tail, "\r")), log);
    }
    size_t at = log.find("Init Duration: ");
    if (at == std::string::npos) {
      std::fprintf(stderr, "invoke %d was not a cold start:\n%s\n", i, log.c_str());
      return 1;
    }
    init_ms.push_back(std::strtod(log.c_str() + at + 15, nullptr));
  }
  PrintLatency("cold start (client)", client_ms);
  PrintLatency("cold start (Init Duration)", init_ms);
  return 0;
}

// How many events the daemon's queue holds.
int64_t Queued(store::SqliteDb& db) {
  auto st = db.Prepare("SELECT count(*) FROM events");
  if (!st.ok() || !st->Step().ok()) return -1;
  return st->Int(0);
}

int Async(const Options& o, const auth::Credential& cred) {
  auto db = store::SqliteDb::Open(o.events_db, /*read_only=*/true);
  if (!db.ok()) {
    std::fprintf(stderr, "%s\n", db.status().ToString().c_str());
    return 1;
  }
  std::atomic<int> next{0};
  std::atomic<bool> failed{false};
  std::vector<std::vector<double>> per_client(static_cast<size_t>(o.clients));
  const std::string payload =
      o.payload_bytes > 0
          ? "{\"pad\":\"" + std::string(static_cast<size_t>(o.payload_bytes), 'x') + "\"}"
          : "{}";
  auto start = SteadyClock::now();
  std::vector<std::thread> threads;
  for (int i = 0; i < o.clients; ++i) {
    threads.emplace_back([&, i] {
      Connection c(o.endpoint);
      std::string head, body;
      while (next++ < o.requests && !failed) {
        auto t = SteadyClock::now();
        int status = c.Send("POST", InvokePath(o), payload, {{"x-amz-invocation-type", "Event"}},
                            cred, o.region, head, body);
        if (status != 202) {
          std::fprintf(stderr, "event invoke failed (%d): %s\n", status, body.c_str());
          failed = true;
        }
        per_client[static_cast<size_t>(i)].push_back(Since(t));
      }
    });
  }
  for (auto& t : threads) t.join();
  double accept_ms = Since(start);
  std::vector<double> all;
  for (auto& v : per_client) all.insert(all.end(), v.begin(), v.end());
  std::printf("async accept: clients=%d events=%zu %.0f events/s\n", o.clients, all.size(),
              static_cast<double>(all.size()) * 1000.0 / accept_ms);
  PrintLatency("  accept latency", all);
  if (o.no_wait) return failed ? 1 : 0;
  int64_t left;
  while ((left = Queued(**db)) > 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  if (left < 0) return 1;
  double total_ms = Since(start);
  std::printf(
      "async end to end: %zu events processed in %.2f s: %.0f events/s (queue empty "
      "%.2f s after the last 202)\n",
      all.size(), total_ms / 1000.0, static_cast<double>(all.size()) * 1000.0 / total_ms,
      (total_ms - accept_ms) / 1000.0);
  return failed ? 1 : 0;
}

int Drain(const Options& o, const auth::Credential& cred) {
  auto db = store::SqliteDb::Open(o.events_db, /*read_only=*/true);
  if (!db.ok()) {
    std::fprintf(stderr, "%s\n", db.status().ToString().c_str());
    return 1;
  }
  int64_t queued = Queued(**db);
  Connection c(o.endpoint);
  std::string head, body;
  auto start = SteadyClock::now();
  int status = c.Send("DELETE", "/2017-10-31/functions/" + o.function + "/concurrency", "", {},
                      cred, o.region, head, body);
  if (status != 204) {
    std::fprintf(stderr, "cannot lift the reservation (%d): %s\n", status, body.c_str());
    return 1;
  }
  int64_t left;
  while ((left = Queued(**db)) > 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  if (left < 0) return 1;
  double ms = Since(start);
  std::printf("async drain: %lld queued events processed in %.2f s: %.0f events/s\n",
              static_cast<long long>(queued), ms / 1000.0,
              static_cast<double>(queued) * 1000.0 / ms);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"Load generator for Lamina's Invoke path", "lamina-bench"};
  app.add_option("--endpoint", o.endpoint, "host:port")->capture_default_str();
  app.add_option("--credentials", o.credentials, "AWS shared-credentials file")->required();
  app.add_option("--function", o.function, "function name")->required();
  app.add_option("--mode", o.mode)
      ->check(CLI::IsMember({"warm", "throughput", "cold", "async", "drain"}));
  app.add_option("--region", o.region)->capture_default_str();
  app.add_option("--requests", o.requests)->capture_default_str();
  app.add_option("--clients", o.clients)->capture_default_str();
  app.add_option("--seconds", o.seconds)->capture_default_str();
  app.add_option("--warmup", o.warmup, "throughput: seconds of load before measuring")
      ->capture_default_str();
  app.add_option("--events-db", o.events_db, "async, drain: the daemon's events.db");
  app.add_option("--payload-bytes", o.payload_bytes, "async: pad each event to about this size");
  app.add_flag("--no-wait", o.no_wait, "async: do not wait for the queue to empty");
  CLI11_PARSE(app, argc, argv);
  auto cred = auth::ReadCredentialsFile(o.credentials);
  if (!cred.ok()) {
    std::fprintf(stderr, "%s\n", cred.status().ToString().c_str());
    return 1;
  }
  if (o.mode == "warm") return Warm(o, *cred);
  if (o.mode == "throughput") return Throughput(o, *cred);
  if (o.mode == "async") return Async(o, *cred);
  if (o.mode == "drain") return Drain(o, *cred);
  return Cold(o, *cred);
}
