// STS AssumeRole.
#pragma once

#include "auth/session_credentials.h"
#include "common/clock.h"
#include "common/status.h"
#include "common/xml_writer.h"
#include "http/service.h"
#include "services/iam/query_protocol.h"
#include "services/iam/role_store.h"

namespace lamina::services::iam {

// Issues temporary credentials for RoleArn to the caller, as AWS does within one account: the
// role's trust policy must name the caller (its ARN, or its role's ARN for a role session), or
// trust the account (its root ARN or id, or "*") while the caller's own policies allow
// sts:AssumeRole on the role. DurationSeconds: 900 up to the role's MaxSessionDuration (default
// 3600), and at most 3600 when a role session assumes a role (role chaining). A role that does not
// exist, or does not trust the caller, is AccessDenied. Session policies (Policy, PolicyArns) are
// refused: Lamina cannot narrow a session yet.
Status AssumeRole(const http::CallContext& context, const QueryArgs& args, const RoleStore& roles,
                  const auth::SessionCredentials& sessions, const Clock& clock, XmlWriter& result);

}  // namespace lamina::services::iam
