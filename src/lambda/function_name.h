// Function names as Lambda accepts them: `name`, `name:qualifier`, the partial ARN
// `123456789012:function:name[:qualifier]` and the full ARN
// `arn:aws:lambda:region:123456789012:function:name[:qualifier]`.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace lamina::lambda {

struct FunctionRef {
  std::string name;
  std::string qualifier;  // empty when none was given
};

// The two shapes the model gives a function name. kNew (FunctionName, CreateFunction's) names a
// function that may not exist yet; kExisting (NamespacedFunctionName) looks one up and is laxer:
// it allows '.' and names over 64 characters, which simply are not found.
enum class NameShape { kNew, kExisting };

// Parses `input` (the member `member`, e.g. "functionName", for error messages). An ARN of another
// region or account names a function that does not exist here: ResourceNotFoundException. With
// kNew, a name over 64 characters is an InvalidParameterValueException, as AWS reports it.
StatusOr<FunctionRef> ParseFunctionName(std::string_view input, std::string_view member,
                                        const std::string& region, const std::string& account,
                                        NameShape shape = NameShape::kExisting);

std::string FunctionArn(const std::string& region, const std::string& account,
                        const std::string& name, const std::string& qualifier = "");

// True for 1-64 characters of [a-zA-Z0-9-_].
bool IsValidFunctionName(std::string_view name);

}  // namespace lamina::lambda
