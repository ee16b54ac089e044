// Collects model-constraint violations of one request and reports them the way AWS does:
// "2 validation errors detected: Value null at 'roleName' failed to satisfy constraint: Member
// must not be null; Value '99' at 'maxSessionDuration' failed to satisfy constraint: Member must
// have value greater than or equal to 3600" (ValidationError, 400).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/violations.h"
#include "services/iam/query_protocol.h"

namespace lamina::services::iam {

// IAM's ValidationError (400) from collected violations.
class Violations : public lamina::Violations {
 public:
  // OK when nothing was recorded, else ValidationError.
  Status ToStatus() const;
};

// The value of a required parameter; records "Member must not be null" and returns nullptr when
// the request did not send it.
const std::string* RequiredParam(const QueryArgs& args, std::string_view name,
                                 Violations& violations);
// An optional integer parameter checked against [min, max]; nullopt when absent or invalid (then
// a violation is recorded).
std::optional<int64_t> IntParam(const QueryArgs& args, std::string_view name, int64_t min,
                                int64_t max, Violations& violations);

}  // namespace lamina::services::iam
