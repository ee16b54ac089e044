// What an invocation runs: the function a name and qualifier designate, and the version that
// runs, an alias's weighted routing applied. Shared by synchronous and asynchronous invokes.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "lambda/function_name.h"
#include "lambda/lambda_deps.h"

namespace lamina::lambda {

struct InvocationTarget {
  std::shared_ptr<const FunctionRecord> function;  // the function, with its aliases and configs
  std::shared_ptr<const FunctionRecord> version;   // the version that runs
  std::string executed_version;                    // "$LATEST" or a number
  std::string qualifier;    // as invoked: "$LATEST" when none, a version or an alias
  std::string invoked_arn;  // the ARN as the caller named it (qualified when it was)
};

// ResourceNotFoundException when the function, version or alias does not exist.
StatusOr<InvocationTarget> ResolveTarget(LambdaDeps& deps, const std::string& region,
                                         const std::string& account, const FunctionRef& ref);

// The invocation configuration that applies to an invocation through `qualifier` ("$LATEST", a
// version or an alias): its own, or null.
const nlohmann::json* EventInvokeConfigOf(const FunctionRecord& function,
                                          const std::string& qualifier);

}  // namespace lamina::lambda
