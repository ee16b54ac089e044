#include "common/trace_id.h"

#include <cstdio>

#include "common/crypto.h"

namespace lamina {

std::string NewTraceId(int64_t now_ms) {
  char epoch[16];
  std::snprintf(epoch, sizeof epoch, "%08llx", static_cast<unsigned long long>(now_ms / 1000));
  std::string random = HexEncode(UniqueBytes(20));
  return "Root=1-" + std::string(epoch) + "-" + random.substr(0, 24) +
         ";Parent=" + random.substr(24, 16) + ";Sampled=0";
}

}  // namespace lamina
