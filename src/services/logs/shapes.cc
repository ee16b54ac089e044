#include "services/logs/shapes.h"

#include <cctype>
#include <string_view>

namespace lamina::services::logs {
namespace {

bool IsGroupNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_' ||
         c == '/' || c == '#';
}

bool IsIdentifierChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
         std::string_view("#+=/:,.@-").find(c) != std::string_view::npos;
}

template <typename Pred>
bool All(std::string_view s, Pred pred) {
  for (char c : s) {
    if (!pred(c)) return false;
  }
  return true;
}

}  // namespace

bool ValidLogGroupName(std::string_view s) { return !s.empty() && All(s, IsGroupNameChar); }
bool ValidLogGroupNamePattern(std::string_view s) { return All(s, IsGroupNameChar); }
bool ValidLogStreamName(std::string_view s) {
  return All(s, [](char c) { return c != ':' && c != '*'; });
}
bool ValidLogGroupIdentifier(std::string_view s) { return All(s, IsIdentifierChar); }
bool ValidAccountId(std::string_view s) {
  return s.size() == 12 && All(s, [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace lamina::services::logs
