// Reads the members of an AWS JSON 1.1 request body and checks them against the model's types
// and constraints, recording every violation and reporting them at once as AWS does:
// "2 validation errors detected: Value 'a:b' at 'logStreamName' failed to satisfy constraint:
// Member must satisfy regular expression pattern: [^:*]*; Value '0' at 'limit' failed to satisfy
// constraint: Member must have value greater than or equal to 1" (InvalidParameterException).
// A member of the wrong JSON type is recorded the same way ("Member must be a string").
//
// Each reader returns nullopt when the member is absent (or JSON null) or violates a constraint.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace lamina::services::logs {

// A string shape of the model.
struct StringShape {
  size_t min_length = 0;  // in characters (code points), as AWS counts
  size_t max_length = std::numeric_limits<size_t>::max();
  bool (*valid)(std::string_view) = nullptr;  // the pattern, when the shape has one
  const char* pattern = "";                   // the pattern as the model writes it
};

class RequestReader {
 public:
  // `body` must outlive the reader.
  explicit RequestReader(const nlohmann::json& body) : body_(body) {}

  std::optional<std::string> String(std::string_view member, const StringShape& shape,
                                    bool required = false);
  std::optional<int64_t> Integer(std::string_view member, int64_t min, int64_t max,
                                 bool required = false);
  std::optional<bool> Boolean(std::string_view member);
  // One of `values`, else "Member must satisfy enum value set: [A, B]".
  std::optional<std::string> Enum(std::string_view member,
                                  std::initializer_list<std::string_view> values,
                                  bool required = false);
  // A list of strings of `item` shape, with between `min` and `max` items.
  std::optional<std::vector<std::string>> StringList(std::string_view member,
                                                     const StringShape& item, size_t min,
                                                     size_t max);
  // The member as it is, or nullptr when absent or null; for shapes checked by hand.
  const nlohmann::json* Member(std::string_view member) const;

  // Checks `value` (found at `path`, e.g. "logEvents.3.member.message") against `shape`; true
  // when it conforms.
  bool CheckString(std::string_view path, const std::string& value, const StringShape& shape);
  // Records a violation found by hand. A null `value` renders as "Value null".
  void Violation(std::string_view path, const nlohmann::json* value, std::string_view constraint);

  // OK, or InvalidParameterException listing every violation recorded.
  Status Finish() const;

 private:
  const nlohmann::json& body_;
  std::vector<std::string> violations_;
};

}  // namespace lamina::services::logs
