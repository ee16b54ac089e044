#include "common/status.h"

namespace lamina {

std::string Status::ToString() const {
  static constexpr const char* kNames[] = {"OK",
                                           "INVALID_ARGUMENT",
                                           "NOT_FOUND",
                                           "ALREADY_EXISTS",
                                           "FAILED_PRECONDITION",
                                           "CONFLICT",
                                           "UNAUTHENTICATED",
                                           "PERMISSION_DENIED",
                                           "TOO_LARGE",
                                           "RESOURCE_EXHAUSTED",
                                           "UNAVAILABLE",
                                           "INTERNAL"};
  std::string s = kNames[static_cast<int>(code_)];
  if (!aws_type_.empty()) s += " (" + aws_type_ + ")";
  if (!message_.empty()) s += ": " + message_;
  return s;
}

}  // namespace lamina
