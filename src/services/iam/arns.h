// The IAM ARNs Lamina reads: role ARNs (for Lambda's execution roles) and managed-policy ARNs
// (for attachments).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace lamina::services::iam {

struct RoleArnParts {
  std::string account_id;
  std::string path;  // "/" or "/a/b/"
  std::string name;
};

// Splits arn:aws:iam::<12 digits>:role/[path/]name; nullopt when `arn` is not a role ARN.
std::optional<RoleArnParts> ParseRoleArn(std::string_view arn);

struct PolicyArnParts {
  std::string account_id;  // "aws" for AWS-managed policies
  std::string path;        // "/" or "/service-role/"
  std::string name;
};

// Splits arn:aws:iam::(aws|<12 digits>):policy/[path/]name (printable ASCII, no spaces);
// nullopt when `arn` is not a policy ARN.
std::optional<PolicyArnParts> ParsePolicyArn(std::string_view arn);

}  // namespace lamina::services::iam
