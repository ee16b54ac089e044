// Whether a role's trust policy lets a principal assume it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lamina::services::iam {

inline constexpr std::string_view kLambdaServicePrincipal = "lambda.amazonaws.com";

// True when the trust policy `document` (JSON) has an Allow statement whose Action matches
// sts:AssumeRole (a string or a list; IAM wildcards such as "sts:*" and "*" match, case-
// insensitively) and whose Principal is "*", {"AWS": "*"} or names the service
// lambda.amazonaws.com (a string or a list), and no Deny statement without a Condition denies
// the same. Conditions on Allow statements are not evaluated (Lambda's own, such as
// aws:SourceAccount, would hold). Statements using NotAction or NotPrincipal never grant.
// False for a document that is not JSON.
bool TrustsLambda(std::string_view document);

// The same for principals of `type` ("Service" or "AWS") named by any of `names` (ARNs, account
// ids); a Principal of "*" or {"AWS": "*"} trusts everyone.
bool Trusts(std::string_view document, std::string_view type,
            const std::vector<std::string>& names);

}  // namespace lamina::services::iam
