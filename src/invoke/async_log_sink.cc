#include "invoke/async_log_sink.h"

namespace lamina::invoke {

AsyncLogSink::AsyncLogSink(LogSink* target, AsyncLogSinkOptions options)
    : target_(target), options_(options), thread_([this] { Run(); }) {}

AsyncLogSink::~AsyncLogSink() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void AsyncLogSink::Append(const std::string& group, const std::string& stream,
                          std::vector<scheduler::LogLine> lines) {
  bool wake;
  {
    std::lock_guard lock(mu_);
    size_t before = queued_lines_;
    queued_lines_ += lines.size();
    queue_.push_back(Batch{group, stream, std::move(lines)});
    ++appended_;
    // The writer needs waking when the queue was empty (it starts lingering) and when the batch
    // just became large enough to cut the linger short; in between it is lingering anyway.
    wake =
        queue_.size() == 1 || (before < options_.max_lines && queued_lines_ >= options_.max_lines);
  }
  if (wake) wake_.notify_one();
}

void AsyncLogSink::Flush() {
  std::unique_lock lock(mu_);
  const uint64_t target = appended_;
  if (written_count_ >= target) return;
  ++flushers_;
  wake_.notify_one();
  written_.wait(lock, [&] { return written_count_ >= target; });
  --flushers_;
}

void AsyncLogSink::Run() {
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and everything written
    auto deadline = std::chrono::steady_clock::now() + options_.linger;
    wake_.wait_until(lock, deadline, [this] {
      return stopping_ || flushers_ > 0 || queued_lines_ >= options_.max_lines;
    });
    std::vector<Batch> batches;
    batches.swap(queue_);
    queued_lines_ = 0;
    const uint64_t through = appended_;
    lock.unlock();
    target_->AppendBatch(batches);
    lock.lock();
    written_count_ = through;
    if (flushers_ > 0) written_.notify_all();
  }
}

}  // namespace lamina::invoke
