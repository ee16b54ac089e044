// A token bucket: holds at most `capacity` tokens and refills continuously at `capacity` per
// `period` (nothing is banked beyond the capacity). Not thread-safe.
#pragma once

#include <algorithm>
#include <chrono>

namespace lamina {

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;

  TokenBucket(double capacity, Clock::duration period)
      : capacity_(capacity),
        per_second_(capacity / std::chrono::duration<double>(period).count()),
        tokens_(capacity) {}

  // Takes one token if there is one.
  bool Take(Clock::time_point now) {
    if (last_ != Clock::time_point{}) {
      double elapsed = std::chrono::duration<double>(now - last_).count();
      tokens_ = std::min(capacity_, tokens_ + elapsed * per_second_);
    }
    last_ = now;
    if (tokens_ < 1) return false;
    tokens_ -= 1;
    return true;
  }

 private:
  double capacity_;
  double per_second_;
  double tokens_;
  Clock::time_point last_{};
};

}  // namespace lamina
