#include "services/logs/json_pattern.h"

#include <cctype>
#include <charconv>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace lamina::services::logs {
namespace {

// Deeper nesting is refused so that parsing and matching cannot exhaust the stack.
constexpr int kMaxDepth = 32;

using Step = std::variant<std::string, size_t>;  // a member name or an array index

enum class Op { kEq, kNe, kLt, kLe, kGt, kGe, kIsTrue, kIsFalse, kIsNull, kExists, kNotExists };

struct Node {
  enum class Kind { kAnd, kOr, kCompare };
  Kind kind = Kind::kCompare;
  std::unique_ptr<Node> left, right;  // kAnd, kOr
  std::vector<Step> selector;         // kCompare
  Op op = Op::kEq;
  bool numeric = false;  // the literal is `number`, else `text`
  double number = 0;
  std::string text;
};

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// A character that ends a bare word or a member name.
bool IsDelimiter(char c) {
  return IsBlank(c) || c == '.' || c == '[' || c == ']' || c == '=' || c == '!' || c == '<' ||
         c == '>' || c == '(' || c == ')' || c == '&' || c == '|' || c == '}' || c == '"';
}

// `pattern` with '*' matching any run of characters, against the whole of `s`.
bool Glob(std::string_view pattern, std::string_view s) {
  size_t p = 0, i = 0, star = std::string_view::npos, resume = 0;
  while (i < s.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = i;
    } else if (p < pattern.size() && pattern[p] == s[i]) {
      ++p;
      ++i;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      i = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

const nlohmann::json* Resolve(const nlohmann::json& root, const std::vector<Step>& selector) {
  const nlohmann::json* at = &root;
  for (const Step& step : selector) {
    if (const std::string* name = std::get_if<std::string>(&step)) {
      if (!at->is_object()) return nullptr;
      auto it = at->find(*name);
      if (it == at->end()) return nullptr;
      at = &*it;
    } else {
      size_t index = std::get<size_t>(step);
      if (!at->is_array() || index >= at->size()) return nullptr;
      at = &(*at)[index];
    }
  }
  return at;
}

bool Compare(const Node& node, const nlohmann::json* value) {
  switch (node.op) {
    case Op::kExists:
      return value != nullptr;
    case Op::kNotExists:
      return value == nullptr;
    default:
      break;
  }
  if (value == nullptr) return false;
  switch (node.op) {
    case Op::kIsTrue:
      return value->is_boolean() && value->get<bool>();
    case Op::kIsFalse:
      return value->is_boolean() && !value->get<bool>();
    case Op::kIsNull:
      return value->is_null();
    default:
      break;
  }
  if (node.numeric) {
    if (!value->is_number()) return node.op == Op::kNe;
    double v = value->get<double>();
    switch (node.op) {
      case Op::kEq:
        return v == node.number;
      case Op::kNe:
        return v != node.number;
      case Op::kLt:
        return v < node.number;
      case Op::kLe:
        return v <= node.number;
      case Op::kGt:
        return v > node.number;
      case Op::kGe:
        return v >= node.number;
      default:
        return false;
    }
  }
  if (!value->is_string()) return node.op == Op::kNe;
  bool equal = Glob(node.text, value->get_ref<const std::string&>());
  return node.op == Op::kEq ? equal : !equal;
}

bool Evaluate(const Node& node, const nlohmann::json& root) {
  switch (node.kind) {
    case Node::Kind::kAnd:
      return Evaluate(*node.left, root) && Evaluate(*node.right, root);
    case Node::Kind::kOr:
      return Evaluate(*node.left, root) || Evaluate(*node.right, root);
    case Node::Kind::kCompare:
      return Compare(node, Resolve(root, node.selector));
  }
  return false;
}

class JsonMatcher final : public MessageMatcher {
 public:
  explicit JsonMatcher(std::unique_ptr<Node> root) : root_(std::move(root)) {}

  bool Matches(std::string_view message) const override {
    // Most log lines are not JSON at all: skip the parser for them.
    size_t first = 0;
    while (first < message.size() && IsBlank(message[first])) ++first;
    if (first == message.size() || (message[first] != '{' && message[first] != '[')) return false;
    nlohmann::json parsed = nlohmann::json::parse(message.begin(), message.end(), nullptr, false);
    return !parsed.is_discarded() && Evaluate(*root_, parsed);
  }

 private:
  std::unique_ptr<Node> root_;
};

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  StatusOr<std::unique_ptr<Node>> Parse() {
    SkipBlanks();
    if (!Consume("{")) return Expected("'{'");
    ASSIGN_OR_RETURN(std::unique_ptr<Node> root, Or());
    if (!Consume("}")) return Expected("'&&', '||' or '}'");
    SkipBlanks();
    if (pos_ != text_.size()) return Expected("the end of the pattern");
    return root;
  }

 private:
  void SkipBlanks() {
    while (pos_ < text_.size() && IsBlank(text_[pos_])) ++pos_;
  }

  // Consumes `token` (after blanks) when it comes next.
  bool Consume(std::string_view token) {
    SkipBlanks();
    if (text_.substr(pos_, token.size()) != token) return false;
    pos_ += token.size();
    return true;
  }

  // Consumes a keyword (any case) when it comes next as a whole word.
  bool ConsumeWord(std::string_view word) {
    SkipBlanks();
    if (text_.size() - pos_ < word.size()) return false;
    for (size_t i = 0; i < word.size(); ++i) {
      if (std::toupper(static_cast<unsigned char>(text_[pos_ + i])) != word[i]) return false;
    }
    size_t end = pos_ + word.size();
    if (end < text_.size() && !IsDelimiter(text_[end])) return false;
    pos_ = end;
    return true;
  }

  Status Expected(std::string_view what) const {
    return InvalidArgument("Invalid filter pattern: expected " + std::string(what) +
                           " at position " + std::to_string(pos_ + 1));
  }

  StatusOr<std::unique_ptr<Node>> Binary(Node::Kind kind, std::unique_ptr<Node> left,
                                         std::unique_ptr<Node> right) {
    auto node = std::make_unique<Node>();
    node->kind = kind;
    node->left = std::move(left);
    node->right = std::move(right);
    return node;
  }

  StatusOr<std::unique_ptr<Node>> Or() {
    ASSIGN_OR_RETURN(std::unique_ptr<Node> left, And());
    while (Consume("||")) {
      ASSIGN_OR_RETURN(std::unique_ptr<Node> right, And());
      ASSIGN_OR_RETURN(left, Binary(Node::Kind::kOr, std::move(left), std::move(right)));
    }
    return left;
  }

  StatusOr<std::unique_ptr<Node>> And() {
    ASSIGN_OR_RETURN(std::unique_ptr<Node> left, Term());
    while (Consume("&&")) {
      ASSIGN_OR_RETURN(std::unique_ptr<Node> right, Term());
      ASSIGN_OR_RETURN(left, Binary(Node::Kind::kAnd, std::move(left), std::move(right)));
    }
    return left;
  }

  StatusOr<std::unique_ptr<Node>> Term() {
    if (!Consume("(")) return Comparison();
    if (++depth_ > kMaxDepth) return InvalidArgument("Invalid filter pattern: nested too deeply");
    ASSIGN_OR_RETURN(std::unique_ptr<Node> inner, Or());
    if (!Consume(")")) return Expected("')'");
    --depth_;
    return inner;
  }

  StatusOr<std::unique_ptr<Node>> Comparison() {
    auto node = std::make_unique<Node>();
    ASSIGN_OR_RETURN(node->selector, Selector());
    if (ConsumeWord("IS")) {
      if (ConsumeWord("TRUE")) {
        node->op = Op::kIsTrue;
      } else if (ConsumeWord("FALSE")) {
        node->op = Op::kIsFalse;
      } else if (ConsumeWord("NULL")) {
        node->op = Op::kIsNull;
      } else {
        return Expected("TRUE, FALSE or NULL");
      }
      return node;
    }
    if (ConsumeWord("NOT")) {
      if (!ConsumeWord("EXISTS")) return Expected("EXISTS");
      node->op = Op::kNotExists;
      return node;
    }
    if (ConsumeWord("EXISTS")) {
      node->op = Op::kExists;
      return node;
    }
    // Longest operators first.
    static constexpr std::pair<std::string_view, Op> kOps[] = {{"!=", Op::kNe}, {"<=", Op::kLe},
                                                               {">=", Op::kGe}, {"=", Op::kEq},
                                                               {"<", Op::kLt},  {">", Op::kGt}};
    bool found = false;
    for (const auto& [token, op] : kOps) {
      if (Consume(token)) {
        node->op = op;
        found = true;
        break;
      }
    }
    if (!found) return Expected("a comparison operator, IS or EXISTS");
    RETURN_IF_ERROR(Literal(*node));
    if (!node->numeric && node->op != Op::kEq && node->op != Op::kNe) {
      return InvalidArgument("Invalid filter pattern: '<', '<=', '>' and '>=' compare numbers");
    }
    return node;
  }

  StatusOr<std::vector<Step>> Selector() {
    if (!Consume("$")) return Expected("a property selector starting with '$'");
    std::vector<Step> steps;
    for (;;) {
      if (pos_ < text_.size() && text_[pos_] == '.') {
        size_t start = ++pos_;
        while (pos_ < text_.size() && !IsDelimiter(text_[pos_])) ++pos_;
        if (pos_ == start) return Expected("a property name");
        steps.emplace_back(std::string(text_.substr(start, pos_ - start)));
      } else if (pos_ < text_.size() && text_[pos_] == '[') {
        size_t start = ++pos_;
        size_t index = 0;
        auto [end, ec] = std::from_chars(text_.data() + start, text_.data() + text_.size(), index);
        pos_ = static_cast<size_t>(end - text_.data());
        if (ec != std::errc() || pos_ == start || pos_ >= text_.size() || text_[pos_] != ']') {
          return Expected("an array index and ']'");
        }
        ++pos_;
        steps.emplace_back(index);
      } else {
        return steps;
      }
    }
  }

  Status Literal(Node& node) {
    SkipBlanks();
    if (pos_ < text_.size() && text_[pos_] == '"') {
      size_t open = pos_++;
      while (pos_ < text_.size() && text_[pos_] != '"') {
        char c = text_[pos_++];
        if (c == '\\' && pos_ < text_.size() && (text_[pos_] == '"' || text_[pos_] == '\\')) {
          c = text_[pos_++];
        }
        node.text += c;
      }
      if (pos_ == text_.size()) {
        pos_ = open;
        return Expected("a closing quote for the string");
      }
      ++pos_;
      return Status::Ok();
    }
    size_t start = pos_;
    while (pos_ < text_.size() && !IsBlank(text_[pos_]) && text_[pos_] != ')' &&
           text_[pos_] != '}' && text_[pos_] != '&' && text_[pos_] != '|' && text_[pos_] != '"') {
      ++pos_;
    }
    if (pos_ == start) return Expected("a string or a number");
    node.text = std::string(text_.substr(start, pos_ - start));
    double number = 0;
    const char* first = node.text.data();
    const char* last = first + node.text.size();
    // from_chars would also read "inf" and "nan"; a number starts with a digit, '-' or '.'.
    const bool looks_numeric =
        std::isdigit(static_cast<unsigned char>(*first)) || *first == '-' || *first == '.';
    auto [end, ec] = std::from_chars(first, last, number);
    if (looks_numeric && ec == std::errc() && end == last) {
      node.numeric = true;
      node.number = number;
    }
    return Status::Ok();
  }

  std::string_view text_;
  size_t pos_ = 0;
  int depth_ = 0;
};

}  // namespace

StatusOr<std::unique_ptr<MessageMatcher>> ParseJsonPattern(std::string_view text) {
  Parser parser(text);
  ASSIGN_OR_RETURN(std::unique_ptr<Node> root, parser.Parse());
  return std::unique_ptr<MessageMatcher>(new JsonMatcher(std::move(root)));
}

}  // namespace lamina::services::logs
