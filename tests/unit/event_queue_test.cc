#include "invoke/event_queue.h"

#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "scoped_temp_dir.h"

namespace lamina::invoke {
namespace {

using test_util::ScopedTempDir;

QueuedEvent Event(const std::string& function, const std::string& payload) {
  QueuedEvent e;
  e.function = function;
  e.request_id = "req-" + payload;
  e.payload = payload;
  e.received_ms = 1000;
  e.next_attempt_ms = 1000;
  e.trace_header = "Root=1-x;Lineage=ab:1";
  return e;
}

std::vector<int64_t> AppendNow(EventQueue& q, std::vector<QueuedEvent> events) {
  std::promise<StatusOr<std::vector<QueuedEvent>>> done;
  q.Append(std::move(events),
           [&](StatusOr<std::vector<QueuedEvent>> stored) { done.set_value(std::move(stored)); });
  auto stored = done.get_future().get();
  EXPECT_TRUE(stored.ok()) << stored.status().ToString();
  std::vector<int64_t> ids;
  if (stored.ok()) {
    for (const QueuedEvent& e : *stored) ids.push_back(e.id);
  }
  return ids;
}

TEST(EventQueue, AppendedEventsAreKeptWithTheirFieldsAcrossReopening) {
  ScopedTempDir dir;
  {
    auto q = EventQueue::Open(dir.Join("events.db"));
    ASSERT_TRUE(q.ok());
    std::vector<int64_t> ids = AppendNow(**q, {Event("f", "{\"a\":1}"), Event("g", "{}")});
    ASSERT_EQ(ids.size(), 2u);
    EXPECT_LT(ids[0], ids[1]);
  }
  auto q = EventQueue::Open(dir.Join("events.db"));
  ASSERT_TRUE(q.ok());
  auto all = (*q)->LoadAll();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].function, "f");
  EXPECT_EQ((*all)[0].request_id, "req-{\"a\":1}");
  EXPECT_EQ((*all)[0].trace_header, "Root=1-x;Lineage=ab:1");
  EXPECT_TRUE((*all)[0].payload.empty()) << "LoadAll leaves payloads on disk";
  auto payload = (*q)->Payload((*all)[0].id);
  ASSERT_TRUE(payload.ok());
  EXPECT_EQ(*payload, "{\"a\":1}");
}

TEST(EventQueue, FinishRemovesTheEventAndStoresItsFollowUpsAtOnce) {
  ScopedTempDir dir;
  auto q = EventQueue::Open(dir.Join("events.db"));
  ASSERT_TRUE(q.ok());
  int64_t id = AppendNow(**q, {Event("f", "{}")}).at(0);
  std::promise<StatusOr<std::vector<QueuedEvent>>> done;
  (*q)->Finish(id, {Event("destination", "{\"record\":1}")},
               [&](StatusOr<std::vector<QueuedEvent>> stored) { done.set_value(stored); });
  auto stored = done.get_future().get();
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_GT((*stored)[0].id, id);
  auto all = (*q)->LoadAll();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].function, "destination");
  EXPECT_EQ(*(*q)->Count(), 1);
}

TEST(EventQueue, RescheduleRecordsAttemptsAndTheNextTime) {
  ScopedTempDir dir;
  auto q = EventQueue::Open(dir.Join("events.db"));
  ASSERT_TRUE(q.ok());
  int64_t id = AppendNow(**q, {Event("f", "{}")}).at(0);
  std::promise<Status> done;
  (*q)->Reschedule(id, 2, 99'000, [&](Status s) { done.set_value(s); });
  ASSERT_TRUE(done.get_future().get().ok());
  auto all = (*q)->LoadAll();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ((*all)[0].attempts, 2);
  EXPECT_EQ((*all)[0].next_attempt_ms, 99'000);
}

TEST(EventQueue, ConcurrentAppendsAreGroupCommittedAndAllAcknowledged) {
  ScopedTempDir dir;
  auto q = EventQueue::Open(dir.Join("events.db"));
  ASSERT_TRUE(q.ok());
  constexpr int kThreads = 8, kEach = 200;
  std::atomic<int> acknowledged{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        std::promise<void> done;
        (*q)->Append({Event("f", std::to_string(t * kEach + i))},
                     [&](StatusOr<std::vector<QueuedEvent>> stored) {
                       if (stored.ok()) ++acknowledged;
                       done.set_value();
                     });
        done.get_future().wait();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(acknowledged, kThreads * kEach);
  EXPECT_EQ(*(*q)->Count(), kThreads * kEach);
}

TEST(EventQueue, PayloadOfAnUnknownEventIsNotFound) {
  ScopedTempDir dir;
  auto q = EventQueue::Open(dir.Join("events.db"));
  ASSERT_TRUE(q.ok());
  EXPECT_EQ((*q)->Payload(42).status().code(), Code::kNotFound);
}

}  // namespace
}  // namespace lamina::invoke
