// The configuration members shared by CreateFunction and UpdateFunctionConfiguration: type checks,
// AWS's constraints and error messages, defaults, and the FunctionConfiguration they produce.
#pragma once

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "http/service.h"
#include "lambda/lambda_deps.h"
#include "lambda/validation.h"

namespace lamina::lambda {

// Runtimes Lamina runs.
bool IsSupportedRuntime(const std::string& runtime);

// Checks an Architectures list (exactly one of x86_64, arm64), adding AWS's violation to `v`;
// InvalidRequestContentException for an entry that is not a string.
Status CheckArchitectures(const nlohmann::json& architectures, Violations& v);

// Validates the configuration members present in `body` and writes them into `configuration`.
// With `creating`, absent members get AWS's defaults and the create-only members (PackageType,
// Architectures) are taken too.
Status ApplyConfiguration(const nlohmann::json& body, bool creating, const http::CallContext& call,
                          LambdaDeps& deps, nlohmann::json& configuration);

// Reads an optional member of an expected JSON type; InvalidRequestContentException when the
// member is present with another type. Returns nullptr when absent or null.
StatusOr<const nlohmann::json*> Member(const nlohmann::json& body, const char* name,
                                       nlohmann::json::value_t type);

// Parses a request body that must be a JSON object (an empty body counts as {}).
StatusOr<nlohmann::json> ParseBody(const std::string& body);

}  // namespace lamina::lambda
