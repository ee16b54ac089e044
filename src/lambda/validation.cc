#include "lambda/validation.h"

#include "lambda/errors.h"

namespace lamina::lambda {

void Violations::Add(const std::string& value, const std::string& member,
                     const std::string& constraint) {
  items_.push_back("Value '" + value + "' at '" + member +
                   "' failed to satisfy constraint: " + constraint);
}

void Violations::Range(int64_t value, const std::string& member, int64_t min, int64_t max) {
  if (value < min) {
    Add(std::to_string(value), member,
        "Member must have value greater than or equal to " + std::to_string(min));
  } else if (value > max) {
    Add(std::to_string(value), member,
        "Member must have value less than or equal to " + std::to_string(max));
  }
}

void Violations::Length(const std::string& value, const std::string& member, size_t min,
                        size_t max) {
  if (value.size() < min) {
    Add(value, member, "Member must have length greater than or equal to " + std::to_string(min));
  } else if (value.size() > max) {
    Add(value, member, "Member must have length less than or equal to " + std::to_string(max));
  }
}

Status Violations::ToStatus() const {
  if (items_.empty()) return Status::Ok();
  std::string message = std::to_string(items_.size()) + " validation error" +
                        (items_.size() == 1 ? "" : "s") + " detected: ";
  for (size_t i = 0; i < items_.size(); ++i) message += (i ? "; " : "") + items_[i];
  return ValidationError(message);
}

}  // namespace lamina::lambda
