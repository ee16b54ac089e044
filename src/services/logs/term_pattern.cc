#include "services/logs/term_pattern.h"

#include <string>
#include <utility>
#include <vector>

namespace lamina::services::logs {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

struct Literal {
  std::string text;
  bool excluded = false;
};

// A disjunction of conjunctions: the message matches when every literal of some alternative
// holds.
class TermMatcher final : public MessageMatcher {
 public:
  explicit TermMatcher(std::vector<std::vector<Literal>> alternatives)
      : alternatives_(std::move(alternatives)) {}

  bool Matches(std::string_view message) const override {
    for (const std::vector<Literal>& alternative : alternatives_) {
      bool all = true;
      for (const Literal& literal : alternative) {
        bool found = message.find(literal.text) != std::string_view::npos;
        if (found == literal.excluded) {
          all = false;
          break;
        }
      }
      if (all) return true;
    }
    return false;
  }

 private:
  std::vector<std::vector<Literal>> alternatives_;
};

Status Invalid(const std::string& why) { return InvalidArgument("Invalid filter pattern: " + why); }

// Reads a quoted phrase starting at text[pos] == '"'; leaves pos after the closing quote.
StatusOr<std::string> ReadQuoted(std::string_view text, size_t& pos) {
  std::string out;
  const size_t open = pos++;
  while (pos < text.size()) {
    char c = text[pos++];
    if (c == '"') return out;
    if (c == '\\' && pos < text.size() && (text[pos] == '"' || text[pos] == '\\')) c = text[pos++];
    out += c;
  }
  return Invalid("unterminated quote at position " + std::to_string(open + 1));
}

}  // namespace

StatusOr<std::unique_ptr<MessageMatcher>> ParseTermPattern(std::string_view text) {
  std::vector<std::vector<Literal>> alternatives;
  size_t pos = 0;
  for (;;) {
    while (pos < text.size() && IsBlank(text[pos])) ++pos;
    if (pos == text.size()) break;
    const size_t term_start = pos;
    bool starts_alternative = false;
    Literal literal;
    if (text[pos] == '?') {
      starts_alternative = true;
      ++pos;
    }
    if (pos < text.size() && text[pos] == '-') {
      literal.excluded = true;
      ++pos;
    }
    const bool quoted = pos < text.size() && text[pos] == '"';
    if (quoted) {
      ASSIGN_OR_RETURN(literal.text, ReadQuoted(text, pos));
      if (pos < text.size() && !IsBlank(text[pos])) {
        return Invalid("expected a space after the quoted term at position " +
                       std::to_string(term_start + 1));
      }
    } else {
      const size_t word = pos;
      while (pos < text.size() && !IsBlank(text[pos])) {
        if (text[pos] == '"') {
          return Invalid("unexpected quote inside the term at position " +
                         std::to_string(term_start + 1));
        }
        ++pos;
      }
      literal.text = std::string(text.substr(word, pos - word));
    }
    if (!quoted && literal.text.empty()) {
      return Invalid("a '?' or '-' at position " + std::to_string(term_start + 1) +
                     " is not followed by a term");
    }
    if (starts_alternative || alternatives.empty()) alternatives.emplace_back();
    alternatives.back().push_back(std::move(literal));
  }
  return std::unique_ptr<MessageMatcher>(new TermMatcher(std::move(alternatives)));
}

}  // namespace lamina::services::logs
