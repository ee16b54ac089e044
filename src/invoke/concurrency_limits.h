// Lambda's concurrency accounting: the account's limit on invocations in flight at once, the
// functions' reservations out of it, and the slots invocations hold while they run.
//
// A function with reserved concurrency N runs at most N invocations at once (N = 0 blocks it);
// every other function shares what is left of the account's limit (the unreserved pool, which
// reservations may not shrink below 100, as on AWS). Thread-safe; a slot costs a mutex round
// trip on acquire and on release.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace lamina::invoke {

class ConcurrencyLimits {
 public:
  static constexpr int kMinimumUnreserved = 100;

  explicit ConcurrencyLimits(int account_limit) : account_limit_(account_limit) {}

  int account_limit() const { return account_limit_; }
  // What the reservations leave to every other function.
  int Unreserved() const;

  // Records `function`'s reservation (nullopt: none), as stored: no checks (loading, deleting).
  void SetReserved(const std::string& function, std::optional<int> reserved);
  // Whether reserving `reserved` for `function` (in place of what it has) keeps the unreserved
  // pool at its minimum. InvalidParameterValueException, in AWS's words, when it does not.
  Status CheckReservation(const std::string& function, int reserved) const;

  // A running invocation's claim, returned to Release.
  struct Slot {
    std::string function;
    bool reserved = false;  // taken from the function's reservation, not the unreserved pool
  };
  // Takes a slot for an invocation of `function`, or returns AWS's throttle Reason
  // (ReservedFunctionConcurrentInvocationLimitExceeded, ConcurrentInvocationLimitExceeded).
  std::optional<std::string_view> Acquire(const std::string& function, Slot& slot);
  void Release(const Slot& slot);

 private:
  const int account_limit_;
  mutable std::mutex mu_;
  std::map<std::string, int, std::less<>> reserved_;   // guarded by mu_
  int total_reserved_ = 0;                             // guarded by mu_
  std::map<std::string, int, std::less<>> in_flight_;  // guarded by mu_; reserved functions
  int unreserved_in_flight_ = 0;                       // guarded by mu_
};

}  // namespace lamina::invoke
