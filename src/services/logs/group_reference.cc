#include "services/logs/arns.h"
#include "services/logs/logs_errors.h"
#include "services/logs/operations.h"
#include "services/logs/shapes.h"

namespace lamina::services::logs {

GroupReference ReadGroupReference(RequestReader& request) {
  GroupReference reference;
  reference.name = request.String("logGroupName", kLogGroupName);
  reference.identifier = request.String("logGroupIdentifier", kLogGroupIdentifier);
  return reference;
}

StatusOr<std::string> ResolveGroup(const LogsCall& call, const GroupReference& reference) {
  if (reference.name && reference.identifier) {
    return InvalidParameter("LogGroup name and LogGroup ARN are mutually exclusive parameters.");
  }
  if (reference.name) return *reference.name;
  if (reference.identifier) return GroupFromIdentifier(call.context, *reference.identifier);
  // Both members are optional in the model, so this is not a validation error there either.
  return InvalidParameter("Either logGroupName or logGroupIdentifier must be provided.");
}

}  // namespace lamina::services::logs
