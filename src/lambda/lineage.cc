#include "lambda/lineage.h"

#include <cstdlib>
#include <vector>

#include "common/crypto.h"
#include "common/trace_id.h"
#include "common/uri.h"

namespace lamina::lambda {

namespace {

// A function's short name in the Lineage field: 8 hex digits of its ARN's SHA-256, so the header
// names no function in the clear and stays short.
std::string FunctionHash(const std::string& function_arn) {
  return HexEncode(Sha256(function_arn).substr(0, 4));
}

// The header's fields other than Lineage, and Lineage's "hash:count" entries.
void Split(const std::string& header, std::string& rest, std::vector<std::string>& entries) {
  size_t pos = 0;
  while (pos <= header.size()) {
    size_t end = header.find(';', pos);
    if (end == std::string::npos) end = header.size();
    std::string field = header.substr(pos, end - pos);
    if (field.rfind("Lineage=", 0) == 0) {
      std::string list = field.substr(8);
      size_t at = 0;
      while (at <= list.size()) {
        size_t bar = list.find('|', at);
        if (bar == std::string::npos) bar = list.size();
        if (bar > at) entries.push_back(list.substr(at, bar - at));
        at = bar + 1;
      }
    } else if (!field.empty()) {
      if (!rest.empty()) rest += ';';
      rest += field;
    }
    pos = end + 1;
  }
}

// The header as sent: the SDKs percent-encode it (botocore quotes '|' as %7C).
std::string Decoded(const std::string& header) {
  if (header.find('%') == std::string::npos) return header;
  std::string out;
  return UriDecode(header, out) ? out : header;
}

int CountIn(const std::vector<std::string>& entries, const std::string& hash) {
  for (const std::string& e : entries) {
    if (e.size() > hash.size() && e.compare(0, hash.size(), hash) == 0 && e[hash.size()] == ':') {
      return std::atoi(e.c_str() + hash.size() + 1);
    }
  }
  return 0;
}

}  // namespace

TraceLineage NextLineage(const std::string& incoming, const std::string& function_arn,
                         int64_t now_ms) {
  std::string rest;
  std::vector<std::string> entries;
  Split(Decoded(incoming), rest, entries);
  if (rest.find("Root=") == std::string::npos) rest = NewTraceId(now_ms);
  std::string hash = FunctionHash(function_arn);
  TraceLineage out;
  out.count = CountIn(entries, hash) + 1;
  std::string lineage = hash + ":" + std::to_string(out.count);
  for (const std::string& e : entries) {
    if (e.compare(0, hash.size() + 1, hash + ":") != 0) lineage += "|" + e;
  }
  out.header = rest + ";Lineage=" + lineage;
  return out;
}

int LineageCount(const std::string& header, const std::string& function_arn) {
  std::string rest;
  std::vector<std::string> entries;
  Split(Decoded(header), rest, entries);
  return CountIn(entries, FunctionHash(function_arn));
}

}  // namespace lamina::lambda
