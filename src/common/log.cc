#include "common/log.h"

#include <unistd.h>

#include <atomic>

#include "common/time_format.h"

namespace lamina::log {
namespace {

std::atomic<int> g_level{static_cast<int>(Level::kInfo)};

constexpr const char* kLevelNames[] = {"debug", "info", "warn", "error"};

// Quotes a value when it holds spaces, quotes or control characters, so a line stays one line
// and splits unambiguously on spaces.
void AppendValue(std::string& out, std::string_view v) {
  bool plain = !v.empty();
  for (unsigned char c : v) {
    if (c <= ' ' || c == '"' || c == '=' || c == 0x7f) plain = false;
  }
  if (plain) {
    out += v;
    return;
  }
  out += '"';
  for (unsigned char c : v) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c < ' ' || c == 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
}

}  // namespace

bool SetLevel(std::string_view name) {
  for (int i = 0; i < 4; ++i) {
    if (name == kLevelNames[i]) {
      g_level = i;
      return true;
    }
  }
  return false;
}

bool Enabled(Level level) { return static_cast<int>(level) >= g_level.load(); }

void Write(Level level, std::string_view msg, std::initializer_list<Field> fields) {
  if (!Enabled(level)) return;
  std::string line = "time=" + FormatIso8601Millis(NowMillis());
  line += " level=";
  line += kLevelNames[static_cast<int>(level)];
  line += " msg=";
  AppendValue(line, msg);
  for (const auto& [k, v] : fields) {
    line += ' ';
    line += k;
    line += '=';
    AppendValue(line, v);
  }
  line += '\n';
  // One write per line: atomic with respect to other writers for lines under PIPE_BUF, and in
  // practice for regular files and terminals.
  ssize_t unused = ::write(STDERR_FILENO, line.data(), line.size());
  (void)unused;
}

}  // namespace lamina::log
