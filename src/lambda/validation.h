// Collects model-constraint violations and reports them as AWS does:
// "2 validation errors detected: Value '0' at 'timeout' failed to satisfy constraint: Member
// must have value greater than or equal to 1; Value ..." (ValidationException).
#pragma once

#include "common/status.h"
#include "common/violations.h"

namespace lamina::lambda {

// Lambda's ValidationException from collected violations.
class Violations : public lamina::Violations {
 public:
  Status ToStatus() const;  // OK when empty
};

}  // namespace lamina::lambda
