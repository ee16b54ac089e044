// CloudWatch Logs filter patterns (FilterLogEvents' filterPattern), compiled once per request and
// matched against each event's message.
//
// Supported syntax:
//  * "" (or blanks): every event.
//  * Terms, matched case-sensitively as substrings: `ERROR` or a quoted phrase `"disk full"`
//    (backslash escapes `\"` and `\\` inside quotes). Terms are ANDed: `ERROR timeout`.
//  * `-term` excludes events containing the term: `ERROR -Exiting`.
//  * `?term` starts an alternative: `?ERROR ?WARN` matches either, and `?ERROR db ?WARN disk`
//    matches (ERROR and db) or (WARN and disk), the way the CDK's anyTermGroup writes patterns.
//    Terms before the first `?` form an alternative of their own.
//  * JSON patterns on events whose whole message is JSON: `{ $.level = "ERROR" }`, with selectors
//    `$.a.b[0].c`; `=` and `!=` on strings (quoted, or bare words; `*` is a wildcard) and
//    numbers; `<`, `<=`, `>`, `>=` on numbers; `IS TRUE`, `IS FALSE`, `IS NULL`, `EXISTS`,
//    `NOT EXISTS`; `&&`, `||` (`&&` binds tighter) and parentheses. A comparison on a property
//    that is absent never matches (`!=` included); one on a value of another type matches only
//    for `!=`.
// Not supported (rejected as invalid): space-delimited patterns `[a, b, ...]` and regular
// expressions `%...%`.
#pragma once

#include <memory>
#include <string_view>

#include "common/status.h"

namespace lamina::services::logs {

// What a compiled pattern does; the forms above each implement it.
class MessageMatcher {
 public:
  virtual ~MessageMatcher() = default;
  virtual bool Matches(std::string_view message) const = 0;
};

class FilterPattern {
 public:
  // InvalidArgument with the reason when `text` is malformed or unsupported.
  static StatusOr<FilterPattern> Parse(std::string_view text);

  bool matches_everything() const { return matcher_ == nullptr; }
  bool Matches(std::string_view message) const {
    return matcher_ == nullptr || matcher_->Matches(message);
  }

 private:
  explicit FilterPattern(std::shared_ptr<const MessageMatcher> matcher)
      : matcher_(std::move(matcher)) {}
  std::shared_ptr<const MessageMatcher> matcher_;  // null: every message
};

}  // namespace lamina::services::logs
