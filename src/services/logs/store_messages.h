// CloudWatch Logs' own messages for missing and duplicate resources, shared by the store (which
// returns them) and the service (which sometimes decides the same thing itself).
#pragma once

namespace lamina::services::logs {

inline constexpr const char* kNoSuchGroup = "The specified log group does not exist.";
inline constexpr const char* kNoSuchStream = "The specified log stream does not exist.";
inline constexpr const char* kGroupExists = "The specified log group already exists";
inline constexpr const char* kStreamExists = "The specified log stream already exists";

}  // namespace lamina::services::logs
