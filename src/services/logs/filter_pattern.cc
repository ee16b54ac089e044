#include "services/logs/filter_pattern.h"

#include <string>

#include "services/logs/json_pattern.h"
#include "services/logs/term_pattern.h"

namespace lamina::services::logs {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

StatusOr<FilterPattern> FilterPattern::Parse(std::string_view text) {
  size_t start = 0;
  while (start < text.size() && IsBlank(text[start])) ++start;
  if (start == text.size()) return FilterPattern(nullptr);
  size_t end = text.size();
  while (IsBlank(text[end - 1])) --end;
  const char first = text[start], last = text[end - 1];
  std::unique_ptr<MessageMatcher> matcher;
  if (first == '{') {
    ASSIGN_OR_RETURN(matcher, ParseJsonPattern(text));
  } else if (first == '[' && last == ']') {
    return InvalidArgument("Space-delimited filter patterns ([...]) are not supported.");
  } else if (first == '%' && last == '%' && end - start > 1) {
    return InvalidArgument("Regular expression filter patterns (%...%) are not supported.");
  } else {
    ASSIGN_OR_RETURN(matcher, ParseTermPattern(text));
  }
  return FilterPattern(std::shared_ptr<const MessageMatcher>(std::move(matcher)));
}

}  // namespace lamina::services::logs
