#include "lambda/async_dispatcher.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <climits>
#include <cmath>
#include <deque>
#include <map>
#include <optional>
#include <unordered_map>

#include "common/crypto.h"
#include "common/log.h"
#include "lambda/destination_record.h"
#include "lambda/function_name.h"
#include "lambda/invocation_target.h"
#include "lambda/lambda_deps.h"
#include "lambda/lineage.h"
#include "lambda/operation.h"

namespace lamina::lambda {

namespace asio = boost::asio;
using invoke::QueuedEvent;
using scheduler::InvocationResult;

namespace {

constexpr int kDefaultRetries = 2;
constexpr int64_t kDefaultMaxAgeS = 21600;
constexpr int64_t kBackoffMinMs = 1000;
// What dispatching one event costs the loop, about; and the fewest invocations kept in flight.
constexpr double kDispatchCostMs = 0.25;
constexpr int kMinInFlight = 8;

struct Pending {
  QueuedEvent event;
  bool payload_in_memory = true;
  // The last attempt's response, for an EventAgeExceeded record (kept in memory only).
  std::optional<InvocationOutcome> last_response;
};

struct FunctionQueue {
  std::deque<Pending> ready;
  int in_flight = 0;
  double limit = kMinInFlight;  // of invocations in flight (Adapt)
  double duration_ms = 0;       // moving average of the invocations' run time
  double fastest_ms = 1e300;    // the shortest run time seen lately
  int64_t samples = 0;
  int ceiling = INT_MAX;         // lowered when the scheduler cannot start more
  int64_t blocked_until_ms = 0;  // after a throttle or platform error
  int64_t backoff_ms = 0;        // the last wait; doubles on every throttle in a row
  bool preparing = false;        // its code is being unpacked off the loop
};

// What an attempt ended in, for the event's record and next step.
struct Attempt {
  InvocationTarget target;
  InvocationResult result;
};

}  // namespace

class AsyncDispatcher::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(LambdaDeps* deps, invoke::EventQueue* queue, asio::io_context& io, AsyncOptions options)
      : deps_(deps), queue_(queue), io_(io), options_(std::move(options)), timer_(io) {}

  Status Start();
  void Accept(std::vector<QueuedEvent> events, std::function<void(Status)> done);
  void Stop() {
    asio::post(io_, [self = shared_from_this()] {
      self->stopped_ = true;
      self->timer_.cancel();
    });
  }
  void JoinPreparer() { preparer_.join(); }
  void Wake(const std::string& function) {
    asio::post(io_, [self = shared_from_this(), function] {
      auto it = self->functions_.find(function);
      if (it == self->functions_.end()) return;
      it->second.blocked_until_ms = 0;
      it->second.backoff_ms = 0;
      self->Pump(function);
    });
  }

 private:
  int64_t Now() const { return deps_->clock->NowMillis(); }
  // On the loop.
  void Enqueue(Pending p);
  void Pump(const std::string& function);
  // How many invocations of `q` may be in flight now, and its adjustment after an invocation
  // that ran `duration_ms`.
  int InFlightLimit(const FunctionQueue& q) const;
  void Adapt(FunctionQueue& q, double duration_ms) const;
  // Starts the front event of `q`: false when `q` must wait (throttled, unpacking).
  bool StartFront(const std::string& function, FunctionQueue& q);
  void Finished(Pending p, Attempt attempt);
  void Block(const std::string& function, FunctionQueue& q);
  void Arm(int64_t at_ms);
  void OnTimer();
  // Removes the event, storing what follows it in the same transaction: its record for
  // `destination` and, for a failed event, the event itself for `dead_letter` (function ARNs;
  // none when empty).
  void Drop(Pending p, const std::string& destination, InvocationRecordInput record,
            const std::string& dead_letter = "");
  // The function a failed event of `target` goes to as its DeadLetterConfig says ("" when none,
  // or when it names a service Lamina does not have, which is logged).
  std::string DeadLetterOf(const InvocationTarget& target, const QueuedEvent& event) const;
  void Forget(const Pending& p);
  // The destination (`which`: "OnSuccess" or "OnFailure") of the config that applies to
  // `target`; "" when none.
  std::string DestinationOf(const InvocationTarget& target, const char* which) const;

  LambdaDeps* deps_;
  invoke::EventQueue* queue_;
  asio::io_context& io_;
  const AsyncOptions options_;
  asio::steady_timer timer_;
  int64_t armed_at_ms_ = INT64_MAX;
  bool stopped_ = false;
  std::unordered_map<std::string, FunctionQueue> functions_;
  std::multimap<int64_t, Pending> delayed_;         // retries, by when they are due
  std::multimap<int64_t, std::string> unblock_at_;  // blocked functions, by when they resume
  int64_t payload_bytes_ = 0;                       // of payloads held in memory
  asio::thread_pool preparer_{1};                   // unpacks code off the loop
};

Status AsyncDispatcher::Impl::Start() {
  ASSIGN_OR_RETURN(std::vector<QueuedEvent> events, queue_->LoadAll());
  if (!events.empty())
    log::Info("resuming queued events", {{"count", std::to_string(events.size())}});
  asio::post(io_, [self = shared_from_this(), events = std::move(events)]() mutable {
    for (QueuedEvent& e : events) self->Enqueue(Pending{std::move(e), false, std::nullopt});
  });
  return Status::Ok();
}

void AsyncDispatcher::Impl::Accept(std::vector<QueuedEvent> events,
                                   std::function<void(Status)> done) {
  // The queue hands the stored events back on its writer thread; the loop takes them from there.
  queue_->Append(std::move(events), [self = shared_from_this(), done = std::move(done)](
                                        StatusOr<std::vector<QueuedEvent>> stored) {
    if (!stored.ok()) return done(stored.status());
    done(Status::Ok());
    asio::post(self->io_, [self, stored = std::move(*stored)]() mutable {
      for (QueuedEvent& e : stored) self->Enqueue(Pending{std::move(e), true, std::nullopt});
    });
  });
}

void AsyncDispatcher::Impl::Enqueue(Pending p) {
  if (p.payload_in_memory) {
    auto size = static_cast<int64_t>(p.event.payload.size());
    if (payload_bytes_ + size > options_.payload_memory_bytes) {
      p.event.payload.clear();
      p.event.payload.shrink_to_fit();
      p.payload_in_memory = false;
    } else {
      payload_bytes_ += size;
    }
  }
  if (p.event.next_attempt_ms > Now()) {
    int64_t due = p.event.next_attempt_ms;
    delayed_.emplace(due, std::move(p));
    Arm(due);
    return;
  }
  std::string function = p.event.function;
  functions_[function].ready.push_back(std::move(p));
  Pump(function);
}

void AsyncDispatcher::Impl::Pump(const std::string& function) {
  if (stopped_) return;
  auto it = functions_.find(function);
  if (it == functions_.end()) return;
  FunctionQueue& q = it->second;
  while (!q.ready.empty() && !q.preparing && q.blocked_until_ms <= Now() &&
         q.in_flight < InFlightLimit(q)) {
    if (!StartFront(function, q)) break;
  }
  if (q.ready.empty() && q.in_flight == 0 && !q.preparing && q.blocked_until_ms <= Now()) {
    functions_.erase(it);
  }
}

int AsyncDispatcher::Impl::InFlightLimit(const FunctionQueue& q) const {
  return static_cast<int>(std::min<double>(q.limit, static_cast<double>(q.ceiling)));
}

void AsyncDispatcher::Impl::Adapt(FunctionQueue& q, double duration_ms) const {
  // A gradient limiter (as in TCP Vegas): while invocations run as fast as they ever have, more of
  // them at once is more throughput, and the limit grows by about its square root; when they run
  // slower (the machine is saturated), it shrinks in proportion. A no-op function settles on a
  // handful of environments, one that sleeps scales out to hundreds.
  double d = std::max(duration_ms, 0.01);
  if (++q.samples % 1000 == 0) q.fastest_ms = q.duration_ms;  // forget an old best
  q.fastest_ms = std::min(q.fastest_ms, d);
  q.duration_ms = q.duration_ms == 0 ? d : 0.9 * q.duration_ms + 0.1 * d;
  double gradient = std::clamp(q.fastest_ms / q.duration_ms, 0.5, 1.0);
  double next = q.limit * gradient + std::sqrt(q.limit);
  q.limit = std::clamp(0.8 * q.limit + 0.2 * next, static_cast<double>(kMinInFlight),
                       static_cast<double>(options_.max_in_flight_per_function));
}

std::string AsyncDispatcher::Impl::DestinationOf(const InvocationTarget& target,
                                                 const char* which) const {
  const nlohmann::json* config = EventInvokeConfigOf(*target.function, target.qualifier);
  if (!config) return "";
  const nlohmann::json& destinations = config->value("DestinationConfig", nlohmann::json::object());
  return destinations.value(which, nlohmann::json::object()).value("Destination", "");
}

std::string AsyncDispatcher::Impl::DeadLetterOf(const InvocationTarget& target,
                                                const QueuedEvent& event) const {
  const nlohmann::json& config = target.version->configuration;
  auto dlq = config.find("DeadLetterConfig");
  if (dlq == config.end() || !dlq->is_object()) return "";
  std::string arn = dlq->value("TargetArn", "");
  if (arn.empty()) return "";
  if (arn.rfind("arn:aws:lambda:", 0) == 0) return arn;
  // AWS's targets are SQS queues and SNS topics, which Lamina does not have.
  log::Warn("cannot deliver a failed event to its dead-letter target",
            {{"function", event.function}, {"request_id", event.request_id}, {"target", arn}});
  return "";
}

bool AsyncDispatcher::Impl::StartFront(const std::string& function, FunctionQueue& q) {
  Pending& front = q.ready.front();
  const QueuedEvent& e = front.event;
  auto target = ResolveTarget(*deps_, options_.region, options_.account_id,
                              FunctionRef{e.function, e.qualifier == "$LATEST" ? "" : e.qualifier});
  if (!target.ok()) {
    // The function, version or alias was deleted: its events go with it.
    log::Info("dropping an event of a deleted function",
              {{"function", e.function}, {"request_id", e.request_id}});
    Pending p = std::move(front);
    q.ready.pop_front();
    Drop(std::move(p), "", {});
    return true;
  }
  const nlohmann::json* config = EventInvokeConfigOf(*target->function, target->qualifier);
  int64_t max_age_s =
      config ? config->value("MaximumEventAgeInSeconds", kDefaultMaxAgeS) : kDefaultMaxAgeS;
  int64_t now = Now();
  auto fail = [&](const char* condition) {
    InvocationRecordInput record;
    record.condition = condition;
    record.approximate_invoke_count = e.attempts;
    record.response = front.last_response;
    record.function_arn =
        FunctionArn(options_.region, options_.account_id, e.function, target->qualifier);
    std::string destination = DestinationOf(*target, "OnFailure");
    std::string dead_letter = DeadLetterOf(*target, e);
    Pending p = std::move(front);
    q.ready.pop_front();
    Drop(std::move(p), destination, std::move(record), dead_letter);
    return true;
  };
  if (now - e.received_ms > max_age_s * 1000) return fail("EventAgeExceeded");
  std::string unqualified_arn = FunctionArn(options_.region, options_.account_id, e.function);
  if (target->function->recursive_loop != "Allow" &&
      LineageCount(e.trace_header, unqualified_arn) > kRecursionLimit) {
    log::Warn("stopped a recursive loop", {{"function", e.function}, {"request_id", e.request_id}});
    return fail("RecursiveInvocationDetected");
  }
  const std::string& blob = target->version->code_blob;
  if (!deps_->code->IsUnpacked(blob)) {
    q.preparing = true;
    asio::post(preparer_, [self = shared_from_this(), function, blob] {
      auto unpacked = self->deps_->code->Materialize(blob);
      if (!unpacked.ok()) {
        log::Error("cannot unpack code",
                   {{"function", function}, {"error", unpacked.status().ToString()}});
      }
      asio::post(self->io_, [self, function, failed = !unpacked.ok()] {
        auto it = self->functions_.find(function);
        if (it == self->functions_.end()) return;
        it->second.preparing = false;
        if (failed) self->Block(function, it->second);
        self->Pump(function);
      });
    });
    return false;
  }
  invoke::ConcurrencyLimits::Slot slot;
  if (deps_->concurrency->Acquire(function, slot)) {
    // While its own invocations run, one of them ending makes room: no back-off needed.
    if (q.in_flight == 0) Block(function, q);
    return false;
  }
  auto code_dir = deps_->code->Materialize(blob);
  if (!code_dir.ok()) {
    deps_->concurrency->Release(slot);
    Block(function, q);
    return false;
  }
  Pending p = std::move(q.ready.front());
  q.ready.pop_front();
  if (!p.payload_in_memory) {
    auto payload = queue_->Payload(p.event.id);
    if (!payload.ok()) {
      deps_->concurrency->Release(slot);
      log::Error("cannot read a queued event", {{"error", payload.status().ToString()}});
      q.ready.push_front(std::move(p));
      Block(function, q);
      return false;
    }
    p.event.payload = std::move(*payload);
  }
  ++q.in_flight;
  scheduler::InvocationRequest request;
  request.request_id = p.event.request_id;
  request.payload = p.event.payload;
  request.invoked_arn = target->invoked_arn;
  request.trace_id = p.event.trace_header;
  Attempt attempt{std::move(*target), {}};
  scheduler::FunctionSpec spec = SpecOf(*attempt.target.version, *code_dir);
  deps_->invoker->Invoke(std::move(spec), std::move(request),
                         [self = shared_from_this(), slot = std::move(slot), p = std::move(p),
                          attempt = std::move(attempt)](invoke::InvokeOutcome outcome) mutable {
                           self->deps_->concurrency->Release(slot);
                           attempt.result = std::move(outcome.result);
                           self->Finished(std::move(p), std::move(attempt));
                         });
  return true;
}

void AsyncDispatcher::Impl::Finished(Pending p, Attempt attempt) {
  std::string function = p.event.function;
  FunctionQueue& q = functions_[function];
  --q.in_flight;
  const InvocationResult& r = attempt.result;
  const InvocationTarget& t = attempt.target;
  if (r.kind == InvocationResult::Kind::kThrottled ||
      r.kind == InvocationResult::Kind::kPlatformError) {
    // Not the function's fault: the event waits its turn again, not counted as an attempt.
    q.ready.push_front(std::move(p));
    if (r.kind == InvocationResult::Kind::kThrottled && q.in_flight > 0) {
      // The scheduler has no room for another environment: run with the ones there are.
      q.ceiling = q.in_flight;
    } else {
      Block(function, q);
    }
    return Pump(function);
  }
  q.backoff_ms = 0;
  if (q.ceiling != INT_MAX) ++q.ceiling;
  Adapt(q, r.duration_ms);
  InvocationRecordInput record;
  // AWS names the version (or alias) invoked: $LATEST when the call named none.
  record.function_arn = FunctionArn(options_.region, options_.account_id, function, t.qualifier);
  record.approximate_invoke_count = p.event.attempts + 1;
  record.response = InvocationOutcome{200, t.executed_version, "", r.payload};
  if (r.kind == InvocationResult::Kind::kSuccess) {
    record.condition = "Success";
    std::string destination = DestinationOf(t, "OnSuccess");
    Drop(std::move(p), destination, std::move(record));
    return Pump(function);
  }
  record.response->function_error = "Unhandled";
  const nlohmann::json* config = EventInvokeConfigOf(*t.function, t.qualifier);
  int retries = config ? config->value("MaximumRetryAttempts", kDefaultRetries) : kDefaultRetries;
  ++p.event.attempts;
  if (p.event.attempts <= retries) {
    size_t step =
        std::min(static_cast<size_t>(p.event.attempts - 1), options_.retry_delays_ms.size() - 1);
    p.event.next_attempt_ms = Now() + options_.retry_delays_ms[step];
    p.last_response = record.response;
    // A payload read back from the queue is read again for the retry, not held meanwhile.
    if (!p.payload_in_memory) {
      p.event.payload.clear();
      p.event.payload.shrink_to_fit();
    }
    queue_->Reschedule(p.event.id, p.event.attempts, p.event.next_attempt_ms, [](Status s) {
      if (!s.ok()) log::Error("cannot reschedule an event", {{"error", s.ToString()}});
    });
    // A payload held in memory stays counted while it waits.
    int64_t due = p.event.next_attempt_ms;
    delayed_.emplace(due, std::move(p));
    Arm(due);
    return Pump(function);
  }
  record.condition = "RetriesExhausted";
  std::string destination = DestinationOf(t, "OnFailure");
  std::string dead_letter = DeadLetterOf(t, p.event);
  Drop(std::move(p), destination, std::move(record), dead_letter);
  Pump(function);
}

void AsyncDispatcher::Impl::Forget(const Pending& p) {
  if (p.payload_in_memory) payload_bytes_ -= static_cast<int64_t>(p.event.payload.size());
}

void AsyncDispatcher::Impl::Drop(Pending p, const std::string& destination,
                                 InvocationRecordInput record, const std::string& dead_letter) {
  std::vector<QueuedEvent> follow_ups;
  auto payload = [&]() -> std::string {
    if (p.payload_in_memory || !p.event.payload.empty()) return p.event.payload;
    auto stored = queue_->Payload(p.event.id);
    return stored.ok() ? std::move(*stored) : "{}";
  };
  // An event for the function `arn` names, in the same chain of invocations.
  auto follow = [&](const std::string& arn, const char* origin, std::string body) {
    auto ref = ParseFunctionName(arn, "destination", options_.region, options_.account_id);
    if (!ref.ok()) {
      log::Warn("cannot deliver to a destination",
                {{"destination", arn}, {"error", ref.status().ToString()}});
      return;
    }
    QueuedEvent& next = follow_ups.emplace_back();
    next.function = ref->name;
    next.qualifier = ref->qualifier;
    next.request_id = RandomUuid();
    next.payload = std::move(body);
    next.received_ms = Now();
    next.next_attempt_ms = next.received_ms;
    next.trace_header = p.event.trace_header;
    next.origin = origin;
  };
  if (!destination.empty()) {
    record.request_payload = payload();
    record.request_id = p.event.request_id;
    record.timestamp_ms = Now();
    follow(destination, "destination", InvocationRecord(record));
  }
  // A dead-letter target gets the event itself, as AWS's dead-letter queues do.
  if (!dead_letter.empty()) follow(dead_letter, "dead-letter", payload());
  Forget(p);
  queue_->Finish(p.event.id, std::move(follow_ups),
                 [self = shared_from_this()](StatusOr<std::vector<QueuedEvent>> stored) {
                   if (!stored.ok()) {
                     log::Error("cannot finish an event", {{"error", stored.status().ToString()}});
                     return;
                   }
                   for (QueuedEvent& e : *stored) {
                     asio::post(self->io_, [self, e = std::move(e)]() mutable {
                       self->Enqueue(Pending{std::move(e), true, std::nullopt});
                     });
                   }
                 });
}

void AsyncDispatcher::Impl::Block(const std::string& function, FunctionQueue& q) {
  q.backoff_ms =
      q.backoff_ms == 0 ? kBackoffMinMs : std::min(q.backoff_ms * 2, options_.backoff_max_ms);
  q.blocked_until_ms = Now() + q.backoff_ms;
  unblock_at_.emplace(q.blocked_until_ms, function);
  Arm(q.blocked_until_ms);
}

void AsyncDispatcher::Impl::Arm(int64_t at_ms) {
  if (stopped_ || at_ms >= armed_at_ms_) return;
  armed_at_ms_ = at_ms;
  timer_.expires_after(std::chrono::milliseconds(std::max<int64_t>(0, at_ms - Now())));
  timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (ec) return;
    self->armed_at_ms_ = INT64_MAX;
    self->OnTimer();
  });
}

void AsyncDispatcher::Impl::OnTimer() {
  int64_t now = Now();
  std::vector<std::string> due;
  while (!delayed_.empty() && delayed_.begin()->first <= now) {
    Pending p = std::move(delayed_.begin()->second);
    delayed_.erase(delayed_.begin());
    due.push_back(p.event.function);
    functions_[p.event.function].ready.push_back(std::move(p));
  }
  while (!unblock_at_.empty() && unblock_at_.begin()->first <= now) {
    due.push_back(unblock_at_.begin()->second);
    unblock_at_.erase(unblock_at_.begin());
  }
  std::sort(due.begin(), due.end());
  due.erase(std::unique(due.begin(), due.end()), due.end());
  for (const std::string& function : due) Pump(function);
  if (!delayed_.empty()) Arm(delayed_.begin()->first);
  if (!unblock_at_.empty()) Arm(unblock_at_.begin()->first);
}

AsyncDispatcher::AsyncDispatcher(LambdaDeps* deps, invoke::EventQueue* queue, asio::io_context& io,
                                 AsyncOptions options)
    : impl_(std::make_shared<Impl>(deps, queue, io, std::move(options))) {}

AsyncDispatcher::~AsyncDispatcher() { impl_->JoinPreparer(); }

Status AsyncDispatcher::Start() { return impl_->Start(); }

void AsyncDispatcher::Accept(std::vector<QueuedEvent> events, std::function<void(Status)> done) {
  impl_->Accept(std::move(events), std::move(done));
}

void AsyncDispatcher::Wake(const std::string& function) { impl_->Wake(function); }

void AsyncDispatcher::Stop() { impl_->Stop(); }

}  // namespace lamina::lambda
