// The AWS-managed policies whose documents Lamina knows, so that roles written for AWS (with
// AWSLambdaBasicExecutionRole, AmazonS3ReadOnlyAccess, ...) grant the same here. A policy ARN not
// in this list can still be attached but grants nothing.
#pragma once

#include <string_view>
#include <vector>

namespace lamina::services::iam {

struct ManagedPolicy {
  std::string_view arn;
  std::string_view document;
};

// The document of the AWS-managed policy `arn`, or an empty view when Lamina does not know it.
std::string_view ManagedPolicyDocument(std::string_view arn);

// All of them, for tests.
const std::vector<ManagedPolicy>& KnownManagedPolicies();

}  // namespace lamina::services::iam
