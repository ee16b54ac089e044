#include "invoke/async_log_sink.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace lamina::invoke {
namespace {

using namespace std::chrono_literals;

// Records what reaches it, one entry per AppendBatch call.
class RecordingSink final : public LogSink {
 public:
  void Append(const std::string& group, const std::string& stream,
              std::vector<scheduler::LogLine> lines) override {
    AppendBatch({Batch{group, stream, std::move(lines)}});
  }
  void AppendBatch(const std::vector<Batch>& batches) override {
    std::lock_guard lock(mu_);
    calls_.push_back(batches);
  }
  std::vector<std::vector<Batch>> calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }
  // Every line written so far, in order.
  std::vector<std::string> messages() {
    std::vector<std::string> out;
    for (const auto& call : calls()) {
      for (const Batch& b : call) {
        for (const auto& line : b.lines) out.push_back(line.message);
      }
    }
    return out;
  }

 private:
  std::mutex mu_;
  std::vector<std::vector<Batch>> calls_;
};

std::vector<scheduler::LogLine> Lines(std::initializer_list<const char*> messages) {
  std::vector<scheduler::LogLine> out;
  for (const char* m : messages) out.push_back({1, m});
  return out;
}

TEST(AsyncLogSinkTest, AppendsWithinTheLingerAreWrittenAsOneBatchInOrder) {
  RecordingSink target;
  AsyncLogSink sink(&target, {.linger = 10s, .max_lines = 1000});
  sink.Append("g", "a", Lines({"1", "2"}));
  sink.Append("g", "b", Lines({"3"}));
  sink.Append("g", "a", Lines({"4"}));
  EXPECT_TRUE(target.calls().empty());  // lingering for more
  sink.Flush();
  auto calls = target.calls();
  ASSERT_EQ(calls.size(), 1u);
  ASSERT_EQ(calls[0].size(), 3u);
  EXPECT_EQ(calls[0][1].stream, "b");
  EXPECT_EQ(target.messages(), (std::vector<std::string>{"1", "2", "3", "4"}));
}

TEST(AsyncLogSinkTest, FlushWithNothingPendingReturnsAtOnce) {
  RecordingSink target;
  AsyncLogSink sink(&target, {.linger = 10s, .max_lines = 1000});
  auto start = std::chrono::steady_clock::now();
  sink.Flush();
  sink.Append("g", "s", Lines({"x"}));
  sink.Flush();
  sink.Flush();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_EQ(target.calls().size(), 1u);
}

TEST(AsyncLogSinkTest, ABatchOfMaxLinesIsWrittenWithoutWaitingOutTheLinger) {
  RecordingSink target;
  AsyncLogSink sink(&target, {.linger = 60s, .max_lines = 4});
  sink.Append("g", "s", Lines({"1", "2"}));
  sink.Append("g", "s", Lines({"3", "4"}));
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (target.messages().size() < 4 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(1ms);
  }
  EXPECT_EQ(target.messages(), (std::vector<std::string>{"1", "2", "3", "4"}));
}

TEST(AsyncLogSinkTest, TheLingerEndsOnItsOwn) {
  RecordingSink target;
  AsyncLogSink sink(&target, {.linger = 5ms, .max_lines = 1000});
  sink.Append("g", "s", Lines({"1"}));
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (target.messages().empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(1ms);
  }
  EXPECT_EQ(target.messages(), std::vector<std::string>{"1"});
}

TEST(AsyncLogSinkTest, DestructionWritesEverythingQueued) {
  RecordingSink target;
  auto start = std::chrono::steady_clock::now();
  {
    AsyncLogSink sink(&target, {.linger = 60s, .max_lines = 1000});
    sink.Append("g", "s", Lines({"1"}));
    sink.Append("g", "s", Lines({"2"}));
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
  EXPECT_EQ(target.messages(), (std::vector<std::string>{"1", "2"}));
}

TEST(AsyncLogSinkTest, ConcurrentAppendsAndFlushesLoseNothing) {
  RecordingSink target;
  AsyncLogSink sink(&target, {.linger = 1ms, .max_lines = 16});
  constexpr int kThreads = 4, kAppends = 500;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&sink, t] {
      for (int i = 0; i < kAppends; ++i) {
        sink.Append("g", "s" + std::to_string(t), Lines({"m"}));
        if (i % 50 == 0) sink.Flush();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  sink.Flush();
  EXPECT_EQ(target.messages().size(), static_cast<size_t>(kThreads * kAppends));
}

}  // namespace
}  // namespace lamina::invoke
