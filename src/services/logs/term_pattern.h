// The unstructured form of filter patterns: terms, "phrases", -exclusions and ?alternatives (see
// filter_pattern.h for the semantics).
#pragma once

#include <memory>
#include <string_view>

#include "common/status.h"
#include "services/logs/filter_pattern.h"

namespace lamina::services::logs {

// `text` is not blank. InvalidArgument when a quote is unterminated or a prefix has no term.
StatusOr<std::unique_ptr<MessageMatcher>> ParseTermPattern(std::string_view text);

}  // namespace lamina::services::logs
