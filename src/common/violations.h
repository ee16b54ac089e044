// Model-constraint violations of one request, collected and worded as AWS's services word them:
// "2 validation errors detected: Value null at 'roleName' failed to satisfy constraint: Member
// must not be null; Value '99' at 'maxSessionDuration' failed to satisfy constraint: Member must
// have value greater than or equal to 3600". Each service turns the message into its own error
// (Lambda's ValidationException, IAM's ValidationError, ...).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lamina {

class Violations {
 public:
  // `member` is the parameter's wire name ("RoleName", "Tags.member.1.Key", "memorySize");
  // messages use its lowerCamel form. A null `value` renders as null.
  void Add(std::string_view member, const std::string* value, std::string_view constraint);
  // Length in characters (UTF-8 code points), as AWS counts.
  void Length(std::string_view member, const std::string& value, size_t min, size_t max);
  void Range(std::string_view member, int64_t value, int64_t min, int64_t max);
  // "Member must satisfy regular expression pattern: {pattern}" unless `matches`.
  void Pattern(std::string_view member, const std::string& value, bool matches,
               std::string_view pattern);

  bool empty() const { return items_.empty(); }
  // The whole message; empty when nothing was recorded.
  std::string Message() const;
  // The message for already worded items ("Value ... at '...' failed to satisfy ...").
  static std::string Message(const std::vector<std::string>& items);

 private:
  std::vector<std::string> items_;
};

}  // namespace lamina
