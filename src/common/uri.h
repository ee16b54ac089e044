// Percent-encoding as AWS uses it, and query-string parsing.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lamina {

// Encodes every byte except A-Z a-z 0-9 - _ . ~ (and '/' when keep_slash), uppercase hex.
std::string UriEncode(std::string_view s, bool keep_slash = false);
// Decodes %XX escapes (and '+' as space when plus_is_space). False on a malformed escape.
bool UriDecode(std::string_view s, std::string& out, bool plus_is_space = false);

using QueryParams = std::vector<std::pair<std::string, std::string>>;
// Splits "a=1&b=&c" into decoded pairs, in order. False on a malformed escape.
bool ParseQuery(std::string_view query, QueryParams& out, bool plus_is_space = false);

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates).
bool IsValidUtf8(std::string_view s);

}  // namespace lamina
