#include "services/iam/violations.h"

#include <charconv>
#include <utility>

#include "services/iam/iam_errors.h"

namespace lamina::services::iam {

Status Violations::ToStatus() const {
  if (empty()) return Status::Ok();
  return ValidationError(Message());
}

const std::string* RequiredParam(const QueryArgs& args, std::string_view name,
                                 Violations& violations) {
  const std::string* value = args.Find(name);
  if (value == nullptr) violations.Add(name, nullptr, "Member must not be null");
  return value;
}

std::optional<int64_t> IntParam(const QueryArgs& args, std::string_view name, int64_t min,
                                int64_t max, Violations& violations) {
  const std::string* text = args.Find(name);
  if (text == nullptr) return std::nullopt;
  int64_t value = 0;
  const char* end = text->data() + text->size();
  auto [ptr, ec] = std::from_chars(text->data(), end, value);
  if (ec != std::errc() || ptr != end || text->empty()) {
    violations.Add(name, text, "Member must be an integer");
    return std::nullopt;
  }
  violations.Range(name, value, min, max);
  if (value < min || value > max) return std::nullopt;
  return value;
}

}  // namespace lamina::services::iam
