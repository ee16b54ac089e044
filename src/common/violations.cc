#include "common/violations.h"

#include <cctype>
#include <utility>

namespace lamina {
namespace {

// "Tags.member.1.Key" -> "tags.member.1.key": AWS names members in lowerCamel case.
std::string MemberPath(std::string_view wire_name) {
  std::string out(wire_name);
  bool segment_start = true;
  for (char& c : out) {
    if (segment_start) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    segment_start = c == '.';
  }
  return out;
}

size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xc0) != 0x80) ++n;
  }
  return n;
}

}  // namespace

void Violations::Add(std::string_view member, const std::string* value,
                     std::string_view constraint) {
  std::string item = value ? "Value '" + *value + "'" : std::string("Value null");
  item += " at '" + MemberPath(member) + "' failed to satisfy constraint: ";
  item += constraint;
  items_.push_back(std::move(item));
}

void Violations::Length(std::string_view member, const std::string& value, size_t min, size_t max) {
  size_t length = CodePoints(value);
  if (length < min) {
    Add(member, &value, "Member must have length greater than or equal to " + std::to_string(min));
  } else if (length > max) {
    Add(member, &value, "Member must have length less than or equal to " + std::to_string(max));
  }
}

void Violations::Range(std::string_view member, int64_t value, int64_t min, int64_t max) {
  std::string text = std::to_string(value);
  if (value < min) {
    Add(member, &text, "Member must have value greater than or equal to " + std::to_string(min));
  } else if (value > max) {
    Add(member, &text, "Member must have value less than or equal to " + std::to_string(max));
  }
}

void Violations::Pattern(std::string_view member, const std::string& value, bool matches,
                         std::string_view pattern) {
  if (!matches) {
    Add(member, &value, "Member must satisfy regular expression pattern: " + std::string(pattern));
  }
}

std::string Violations::Message() const { return Message(items_); }

std::string Violations::Message(const std::vector<std::string>& items) {
  if (items.empty()) return {};
  std::string message = std::to_string(items.size()) +
                        (items.size() == 1 ? " validation error" : " validation errors") +
                        " detected: ";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) message += "; ";
    message += items[i];
  }
  return message;
}

}  // namespace lamina
