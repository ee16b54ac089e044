// Builds the small XML documents of the AWS query protocol: nested elements with escaped text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lamina {

// Escapes `text` for XML 1.0 element content and double-quoted attribute values: & < > " become
// entities (an apostrophe stays, as in AWS's own responses), \r becomes &#13; (so readers do not
// fold it into \n), and the control characters XML 1.0 cannot carry at all become U+FFFD. Other
// bytes, UTF-8 included, pass through unchanged.
std::string XmlEscape(std::string_view text);

// Appends elements to a string. Open/Close nest; Element writes a complete leaf. Not thread-safe.
// Tag names and attribute names are written as given: callers pass literals.
class XmlWriter {
 public:
  // Opens <tag> or <tag xmlns="namespace">.
  void Open(std::string_view tag, std::string_view xmlns = {});
  // Closes the innermost open element.
  void Close();
  // <tag>escaped text</tag>.
  void Element(std::string_view tag, std::string_view text);
  // Appends an already-written fragment verbatim (another writer's output).
  void Raw(std::string_view xml);

  bool empty() const { return out_.empty(); }
  // The document so far, with every open element closed.
  std::string Finish();

 private:
  std::string out_;
  std::vector<std::string> open_;
};

}  // namespace lamina
