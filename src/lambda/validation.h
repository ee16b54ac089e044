// Collects model-constraint violations and reports them as AWS does:
// "2 validation errors detected: Value '0' at 'timeout' failed to satisfy constraint: Member
// must have value greater than or equal to 1; Value ..." (ValidationException).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace lamina::lambda {

class Violations {
 public:
  // `value` is rendered as given; `member` is the lowerCamel wire path, e.g. "memorySize".
  void Add(const std::string& value, const std::string& member, const std::string& constraint);
  void Range(int64_t value, const std::string& member, int64_t min, int64_t max);
  void Length(const std::string& value, const std::string& member, size_t min, size_t max);
  bool empty() const { return items_.empty(); }
  Status ToStatus() const;  // OK when empty

 private:
  std::vector<std::string> items_;
};

}  // namespace lamina::lambda
