// IAM's error names, as Status constructors. Their codes pick the HTTP status the query protocol
// renders (see query_protocol.h): NoSuchEntity 404, EntityAlreadyExists and DeleteConflict 409,
// the rest 400.
#pragma once

#include <string>
#include <utility>

#include "common/status.h"

namespace lamina::services::iam {

inline Status NoSuchEntity(std::string message) {
  return NotFound(std::move(message), "NoSuchEntity");
}
inline Status EntityAlreadyExists(std::string message) {
  return AlreadyExists(std::move(message), "EntityAlreadyExists");
}
inline Status DeleteConflict(std::string message) {
  return Conflict(std::move(message), "DeleteConflict");
}
inline Status ConcurrentModification(std::string message) {
  return Conflict(std::move(message), "ConcurrentModification");
}
inline Status MalformedPolicyDocument(std::string message) {
  return InvalidArgument(std::move(message), "MalformedPolicyDocument");
}
inline Status InvalidInput(std::string message) {
  return InvalidArgument(std::move(message), "InvalidInput");
}
inline Status ValidationError(std::string message) {
  return InvalidArgument(std::move(message), "ValidationError");
}

// "The role with name X cannot be found."
inline Status NoSuchRole(const std::string& role_name) {
  return NoSuchEntity("The role with name " + role_name + " cannot be found.");
}

}  // namespace lamina::services::iam
