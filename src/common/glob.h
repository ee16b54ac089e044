// IAM's wildcard patterns: '*' matches any run of characters (none included), '?' any one.
#pragma once

#include <string_view>

namespace lamina {

// Whether `text` matches `pattern` whole. Actions compare case-insensitively, resources and
// condition values (StringLike, ArnLike) case-sensitively.
bool GlobMatch(std::string_view pattern, std::string_view text, bool ignore_case);

}  // namespace lamina
