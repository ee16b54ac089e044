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
    Refill(now);
    if (tokens_ < 1) return false;
    tokens_ -= 1;
    return true;
  }

  // Whether the bucket has refilled to its capacity (forgetting it changes nothing).
  bool Full(Clock::time_point now) const { return TokensAt(now) >= capacity_; }

 private:
  double TokensAt(Clock::time_point now) const {
    if (last_ == Clock::time_point{}) return tokens_;
    double elapsed = std::chrono::duration<double>(now - last_).count();
    return std::min(capacity_, tokens_ + elapsed * per_second_);
  }

  void Refill(Clock::time_point now) {
    tokens_ = TokensAt(now);
    last_ = now;
  }

  double capacity_;
  double per_second_;
  double tokens_;
  Clock::time_point last_{};
};

}  // namespace lamina
