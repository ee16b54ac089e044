// The framed messages lamina-init and the daemon exchange over their socketpair.
//
// A frame is a 4-byte little-endian length (of what follows), a 1-byte type, then fields, each a
// 4-byte little-endian length and its bytes. No HTTP on this path: it is the hot path of every
// invocation. Both ends are trusted to be Lamina's own code, but a frame from the sandbox is
// still parsed defensively (the sandbox runs user code).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lamina::sandbox {

enum class FrameType : uint8_t {
  // daemon -> init
  kInvoke = 1,    // request id, deadline ms, invoked arn, trace id, client context, identity,
                  // tenant id, payload
  kShutdown = 2,  // (no fields)
  kAssign = 3,    // the sandbox's function: /tmp MB, uid, gid, hostname, argc, the bootstrap's
                  // argv, then its environment as KEY=VALUE fields; the code's detached mount
                  // travels with it (fd_passing.h)
  // init -> daemon
  kReady = 10,      // the runtime asked for its next event (the first time: init is done)
  kResponse = 11,   // request id, payload[, "ready": the runtime already asked for its next event,
                    // no kReady follows]
  kError = 12,      // request id, error type, payload[, "ready"]
  kInitError = 13,  // error type, payload; or error type, message, "platform" for lamina-init's
                    // own failures (the daemon words those as AWS does)
  kLog = 14,        // stream ("1": stdout and stderr share it), timestamp ms, line
  kExit = 15,       // how the runtime ended: "exit <code>" or "signal <n>"
  kRelay = 16,      // (no fields) a connection to the platform's AWS endpoint inside the sandbox:
                    // its accepted TCP socket travels with the frame (fd_passing.h)
};

inline constexpr uint32_t kMaxFrameBytes = 16 * 1024 * 1024;

struct Frame {
  FrameType type;
  std::vector<std::string> fields;
};

// Encodes a frame, appending to `out`.
void AppendFrame(FrameType type, const std::vector<std::string_view>& fields, std::string& out);

// Incremental decoder: feed bytes, take whole frames.
class FrameDecoder {
 public:
  void Feed(const char* data, size_t n) { buffer_.append(data, n); }
  // The next whole frame, or nullopt when more bytes are needed. Sets `bad` on a malformed frame
  // (the stream is then unusable).
  std::optional<Frame> Next(bool& bad);

 private:
  std::string buffer_;
  size_t offset_ = 0;
};

}  // namespace lamina::sandbox
