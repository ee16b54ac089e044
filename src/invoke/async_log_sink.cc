#include "invoke/async_log_sink.h"

namespace lamina::invoke {

AsyncLogSink::AsyncLogSink(LogSink* target) : target_(target), thread_([this] { Run(); }) {}

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
  {
    std::lock_guard lock(mu_);
    queue_.push_back(Batch{group, stream, std::move(lines)});
  }
  wake_.notify_one();
}

void AsyncLogSink::Run() {
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and everything written
    std::vector<Batch> batches;
    batches.swap(queue_);
    lock.unlock();
    target_->AppendBatch(batches);
    lock.lock();
  }
}

}  // namespace lamina::invoke
