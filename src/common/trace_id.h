// X-Ray trace ids as Lambda hands them to functions (Lambda-Runtime-Trace-Id, _X_AMZN_TRACE_ID).
#pragma once

#include <cstdint>
#include <string>

namespace lamina {

// "Root=1-<8 hex digits of the epoch second>-<24 random hex digits>;Parent=<16 hex>;Sampled=0".
std::string NewTraceId(int64_t now_ms);

}  // namespace lamina
