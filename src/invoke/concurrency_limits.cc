#include "invoke/concurrency_limits.h"

namespace lamina::invoke {

int ConcurrencyLimits::Unreserved() const {
  std::lock_guard lock(mu_);
  return account_limit_ - total_reserved_;
}

void ConcurrencyLimits::SetReserved(const std::string& function, std::optional<int> reserved) {
  std::lock_guard lock(mu_);
  if (auto it = reserved_.find(function); it != reserved_.end()) {
    total_reserved_ -= it->second;
    reserved_.erase(it);
  }
  if (reserved) {
    reserved_.emplace(function, *reserved);
    total_reserved_ += *reserved;
  }
}

Status ConcurrencyLimits::CheckReservation(const std::string& function, int reserved) const {
  std::lock_guard lock(mu_);
  int others = total_reserved_;
  if (auto it = reserved_.find(function); it != reserved_.end()) others -= it->second;
  if (account_limit_ - others - reserved < kMinimumUnreserved) {
    return InvalidArgument(
        "Specified ReservedConcurrentExecutions for function decreases account's "
        "UnreservedConcurrentExecution below its minimum value of [" +
            std::to_string(kMinimumUnreserved) + "].",
        "InvalidParameterValueException");
  }
  return Status::Ok();
}

std::optional<std::string_view> ConcurrencyLimits::Acquire(const std::string& function,
                                                           Slot& slot) {
  std::lock_guard lock(mu_);
  slot.function = function;
  if (auto it = reserved_.find(function); it != reserved_.end()) {
    int& running = in_flight_[function];
    if (running >= it->second) {
      if (running == 0) in_flight_.erase(function);
      return "ReservedFunctionConcurrentInvocationLimitExceeded";
    }
    ++running;
    slot.reserved = true;
    return std::nullopt;
  }
  if (unreserved_in_flight_ >= account_limit_ - total_reserved_) {
    return "ConcurrentInvocationLimitExceeded";
  }
  ++unreserved_in_flight_;
  slot.reserved = false;
  return std::nullopt;
}

void ConcurrencyLimits::Release(const Slot& slot) {
  std::lock_guard lock(mu_);
  if (!slot.reserved) {
    --unreserved_in_flight_;
    return;
  }
  auto it = in_flight_.find(slot.function);
  if (it != in_flight_.end() && --it->second <= 0) in_flight_.erase(it);
}

}  // namespace lamina::invoke
