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
#include "services/iam/query_protocol.h"

namespace lamina::services::iam {

class Violations {
 public:
  // `member` is the parameter's wire name ("RoleName", "Tags.member.1.Key"); messages use its
  // lowerCamel form ("roleName", "tags.member.1.key"). A null `value` renders as null.
  void Add(std::string_view member, const std::string* value, std::string_view constraint);
  // Length in characters (UTF-8 code points), as AWS counts.
  void Length(std::string_view member, const std::string& value, size_t min, size_t max);
  void Range(std::string_view member, int64_t value, int64_t min, int64_t max);
  // "Member must satisfy regular expression pattern: {pattern}" unless `matches`.
  void Pattern(std::string_view member, const std::string& value, bool matches,
               std::string_view pattern);

  bool empty() const { return items_.empty(); }
  // OK when nothing was recorded, else ValidationError.
  Status ToStatus() const;

 private:
  std::vector<std::string> items_;
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
