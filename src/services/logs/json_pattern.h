// The JSON form of filter patterns, `{ <expression> }` (see filter_pattern.h for the semantics).
#pragma once

#include <memory>
#include <string_view>

#include "common/status.h"
#include "services/logs/filter_pattern.h"

namespace lamina::services::logs {

// `text` starts with '{' once trimmed. InvalidArgument with what was expected where, when it does
// not parse.
StatusOr<std::unique_ptr<MessageMatcher>> ParseJsonPattern(std::string_view text);

}  // namespace lamina::services::logs
