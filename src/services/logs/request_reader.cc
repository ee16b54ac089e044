#include "services/logs/request_reader.h"

#include "common/violations.h"
#include "services/logs/logs_errors.h"

namespace lamina::services::logs {
namespace {

size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xc0) != 0x80) ++n;
  }
  return n;
}

std::string Render(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

const nlohmann::json* RequestReader::Member(std::string_view member) const {
  auto it = body_.find(member);
  if (it == body_.end() || it->is_null()) return nullptr;
  return &*it;
}

void RequestReader::Violation(std::string_view path, const nlohmann::json* value,
                              std::string_view constraint) {
  std::string item = value ? "Value '" + Render(*value) + "'" : std::string("Value null");
  item +=
      " at '" + std::string(path) + "' failed to satisfy constraint: " + std::string(constraint);
  violations_.push_back(std::move(item));
}

bool RequestReader::CheckString(std::string_view path, const std::string& value,
                                const StringShape& shape) {
  const nlohmann::json json_value = value;
  size_t length = CodePoints(value);
  bool ok = true;
  if (length < shape.min_length) {
    Violation(
        path, &json_value,
        "Member must have length greater than or equal to " + std::to_string(shape.min_length));
    ok = false;
  } else if (length > shape.max_length) {
    Violation(path, &json_value,
              "Member must have length less than or equal to " + std::to_string(shape.max_length));
    ok = false;
  }
  if (shape.valid && !shape.valid(value)) {
    Violation(path, &json_value,
              std::string("Member must satisfy regular expression pattern: ") + shape.pattern);
    ok = false;
  }
  return ok;
}

std::optional<std::string> RequestReader::String(std::string_view member, const StringShape& shape,
                                                 bool required) {
  const nlohmann::json* value = Member(member);
  if (value == nullptr) {
    if (required) Violation(member, nullptr, "Member must not be null");
    return std::nullopt;
  }
  if (!value->is_string()) {
    Violation(member, value, "Member must be a string");
    return std::nullopt;
  }
  std::string text = value->get<std::string>();
  if (!CheckString(member, text, shape)) return std::nullopt;
  return text;
}

std::optional<int64_t> RequestReader::Integer(std::string_view member, int64_t min, int64_t max,
                                              bool required) {
  const nlohmann::json* value = Member(member);
  if (value == nullptr) {
    if (required) Violation(member, nullptr, "Member must not be null");
    return std::nullopt;
  }
  if (!value->is_number_integer() ||
      (value->is_number_unsigned() &&
       value->get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))) {
    Violation(member, value, "Member must be an integer");
    return std::nullopt;
  }
  int64_t n = value->get<int64_t>();
  if (n < min) {
    Violation(member, value,
              "Member must have value greater than or equal to " + std::to_string(min));
    return std::nullopt;
  }
  if (n > max) {
    Violation(member, value, "Member must have value less than or equal to " + std::to_string(max));
    return std::nullopt;
  }
  return n;
}

std::optional<bool> RequestReader::Boolean(std::string_view member) {
  const nlohmann::json* value = Member(member);
  if (value == nullptr) return std::nullopt;
  if (!value->is_boolean()) {
    Violation(member, value, "Member must be a boolean");
    return std::nullopt;
  }
  return value->get<bool>();
}

std::optional<std::string> RequestReader::Enum(std::string_view member,
                                               std::initializer_list<std::string_view> values,
                                               bool required) {
  std::optional<std::string> value = String(member, StringShape{}, required);
  if (!value) return std::nullopt;
  for (std::string_view allowed : values) {
    if (allowed == *value) return value;
  }
  std::string set;
  for (std::string_view allowed : values) {
    if (!set.empty()) set += ", ";
    set += allowed;
  }
  const nlohmann::json json_value = *value;
  Violation(member, &json_value, "Member must satisfy enum value set: [" + set + "]");
  return std::nullopt;
}

std::optional<std::vector<std::string>> RequestReader::StringList(std::string_view member,
                                                                  const StringShape& item,
                                                                  size_t min, size_t max) {
  const nlohmann::json* value = Member(member);
  if (value == nullptr) return std::nullopt;
  if (!value->is_array()) {
    Violation(member, value, "Member must be a list");
    return std::nullopt;
  }
  bool ok = true;
  if (value->size() < min) {
    Violation(member, value,
              "Member must have length greater than or equal to " + std::to_string(min));
    ok = false;
  } else if (value->size() > max) {
    Violation(member, value,
              "Member must have length less than or equal to " + std::to_string(max));
    ok = false;
  }
  std::vector<std::string> out;
  for (size_t i = 0; i < value->size(); ++i) {
    const nlohmann::json& element = (*value)[i];
    std::string path = std::string(member) + "." + std::to_string(i + 1) + ".member";
    if (!element.is_string()) {
      Violation(path, &element, "Member must be a string");
      ok = false;
      continue;
    }
    if (!CheckString(path, element.get<std::string>(), item)) ok = false;
    out.push_back(element.get<std::string>());
  }
  if (!ok) return std::nullopt;
  return out;
}

Status RequestReader::Finish() const {
  if (violations_.empty()) return Status::Ok();
  return InvalidParameter(Violations::Message(violations_));
}

}  // namespace lamina::services::logs
