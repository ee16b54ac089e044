// lamina-s3-bench: a load generator for S3-compatible servers (Lamina's S3, or moto's server for
// comparison), signing every request as the SDKs do, over keep-alive connections.
//
//   lamina-s3-bench --endpoint 127.0.0.1:4566 [--credentials FILE] --bucket B
//                   --mode put|get|large [--clients C] [--seconds S] [--size BYTES]
//
// put: C clients PUT --size-byte objects (a new key each) for S seconds: PUTs/s and latency.
// get: 1000 objects are PUT, then C clients GET them for S seconds: GETs/s and latency.
// large: one --size-byte object is PUT (streamed, UNSIGNED-PAYLOAD) and read back three times:
//        MB/s of the median of each.
// The bucket is created first. Without --credentials a fixed test key signs (moto accepts any).
#include <CLI/CLI.hpp>
#include <atomic>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "bench_http.h"

namespace {

using namespace lamina;
using namespace lamina::bench;

struct Options {
  std::string endpoint = "127.0.0.1:4566";
  std::string credentials;
  std::string bucket = "bench";
  std::string mode = "put";
  std::string region = "us-east-1";
  std::string label = "s3";
  int clients = 1;
  double seconds = 5;
  uint64_t size = 1024;
};

// Runs `op(connection, client, i)` on C clients for the measured seconds (after one warm-up
// second); prints ops/s and latency.
template <typename Op>
int Load(const Options& o, const char* what, Op op) {
  std::atomic<bool> failed{false};
  std::vector<std::vector<double>> per_client(static_cast<size_t>(o.clients));
  auto start = SteadyClock::now() + std::chrono::seconds(1);
  auto deadline = start + std::chrono::duration<double>(o.seconds);
  std::vector<std::thread> threads;
  for (int c = 0; c < o.clients; ++c) {
    threads.emplace_back([&, c] {
      Connection connection(o.endpoint);
      for (int i = 0; SteadyClock::now() < deadline && !failed; ++i) {
        auto t = SteadyClock::now();
        if (!op(connection, c, i)) failed = true;
        if (t >= start && SteadyClock::now() <= deadline) {
          per_client[static_cast<size_t>(c)].push_back(Since(t));
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  if (failed) return 1;
  std::vector<double> all;
  for (auto& v : per_client) all.insert(all.end(), v.begin(), v.end());
  std::printf("%s %s %llu B, %d clients: %.0f ops/s\n", o.label.c_str(), what,
              static_cast<unsigned long long>(o.size), o.clients,
              static_cast<double>(all.size()) / o.seconds);
  PrintLatency((o.label + " " + what).c_str(), all);
  return 0;
}

bool Expect(int status, int want, const char* what, const std::string& body) {
  if (status == want) return true;
  std::fprintf(stderr, "%s: HTTP %d %s\n", what, status, body.c_str());
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"S3 load generator"};
  app.add_option("--endpoint", o.endpoint);
  app.add_option("--credentials", o.credentials);
  app.add_option("--bucket", o.bucket);
  app.add_option("--mode", o.mode);
  app.add_option("--label", o.label);
  app.add_option("--clients", o.clients);
  app.add_option("--seconds", o.seconds);
  app.add_option("--size", o.size);
  CLI11_PARSE(app, argc, argv);
  auth::Credential cred;
  cred.access_key_id = "test";
  cred.secret_access_key = "test";
  if (!o.credentials.empty()) {
    auto read = auth::ReadCredentialsFile(o.credentials);
    if (!read.ok()) {
      std::fprintf(stderr, "%s\n", read.status().ToString().c_str());
      return 1;
    }
    cred = *read;
  }
  std::string head, body;
  {
    Connection c(o.endpoint);
    int status = c.Send("PUT", "/" + o.bucket, "", {}, cred, o.region, head, body, "s3");
    if (status != 200 && body.find("BucketAlreadyOwnedByYou") == std::string::npos) {
      return Expect(status, 200, "create bucket", body) ? 0 : 1;
    }
  }
  std::string payload(static_cast<size_t>(std::min<uint64_t>(o.size, 1 << 20)), 'x');
  if (o.mode == "put") {
    return Load(o, "PUT", [&](Connection& c, int client, int i) {
      std::string h, b;
      std::string key = "/" + o.bucket + "/put/" + std::to_string(client) + "/" + std::to_string(i);
      return Expect(c.Send("PUT", key, payload, {}, cred, o.region, h, b, "s3"), 200, "PUT", b);
    });
  }
  if (o.mode == "get") {
    constexpr int kObjects = 1000;
    Connection c(o.endpoint);
    for (int i = 0; i < kObjects; ++i) {
      std::string key = "/" + o.bucket + "/get/" + std::to_string(i);
      if (!Expect(c.Send("PUT", key, payload, {}, cred, o.region, head, body, "s3"), 200, "PUT",
                  body)) {
        return 1;
      }
    }
    return Load(o, "GET", [&](Connection& conn, int client, int i) {
      std::string h, b;
      std::string key = "/" + o.bucket + "/get/" + std::to_string((client * 7919 + i) % kObjects);
      int status = conn.Send("GET", key, "", {}, cred, o.region, h, b, "s3");
      return Expect(status, 200, "GET", b) && b.size() == payload.size();
    });
  }
  if (o.mode == "large") {
    Connection c(o.endpoint);
    std::string chunk(1 << 20, 'L');
    std::vector<double> put_mbs, get_mbs;
    double mb = static_cast<double>(o.size) / (1024.0 * 1024.0);
    for (int round = 0; round < 3; ++round) {
      std::string key = "/" + o.bucket + "/large/" + std::to_string(round);
      auto t = SteadyClock::now();
      if (!Expect(c.PutStreamed(key, o.size, chunk, cred, o.region, "s3"), 200, "large PUT", "")) {
        return 1;
      }
      put_mbs.push_back(mb / (Since(t) / 1000.0));
      uint64_t got = 0;
      t = SteadyClock::now();
      if (!Expect(c.GetDiscarding(key, cred, o.region, "s3", got), 200, "large GET", "") ||
          got != o.size) {
        return 1;
      }
      get_mbs.push_back(mb / (Since(t) / 1000.0));
    }
    std::printf("%s large %.0f MB: PUT %.0f MB/s, GET %.0f MB/s (median of 3)\n", o.label.c_str(),
                mb, Percentile(put_mbs, 50), Percentile(get_mbs, 50));
    return 0;
  }
  std::fprintf(stderr, "unknown mode %s\n", o.mode.c_str());
  return 2;
}
