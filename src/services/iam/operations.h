// IAM's operations. Each validates its parameters (every violation reported at once, as AWS
// does), does its work through the stores, and writes the children of its <{Action}Result>
// element to `result`; operations without output write nothing. Errors are returned as Status
// and rendered by IamService::RenderError.
#pragma once

#include "common/clock.h"
#include "common/status.h"
#include "common/xml_writer.h"
#include "http/service.h"
#include "services/iam/query_protocol.h"
#include "services/iam/role_authorizer.h"
#include "services/iam/role_policy_store.h"
#include "services/iam/role_store.h"

namespace lamina::services::iam {

// What one operation works with; everything is borrowed for the duration of the call.
struct IamCall {
  const http::CallContext& context;
  const QueryArgs& args;
  const Clock& clock;
  RoleStore& roles;
  RolePolicyStore& policies;
  const RoleAuthorizer& authorizer;  // the roles' parsed policies
};

using Operation = Status (*)(const IamCall& call, XmlWriter& result);

// role_ops.cc
Status CreateRole(const IamCall& call, XmlWriter& result);
Status GetRole(const IamCall& call, XmlWriter& result);
Status ListRoles(const IamCall& call, XmlWriter& result);
Status DeleteRole(const IamCall& call, XmlWriter& result);

// role_policy_ops.cc: inline policies.
Status PutRolePolicy(const IamCall& call, XmlWriter& result);
Status GetRolePolicy(const IamCall& call, XmlWriter& result);
Status DeleteRolePolicy(const IamCall& call, XmlWriter& result);
Status ListRolePolicies(const IamCall& call, XmlWriter& result);

// attached_policy_ops.cc: managed policy attachments.
Status AttachRolePolicy(const IamCall& call, XmlWriter& result);
Status DetachRolePolicy(const IamCall& call, XmlWriter& result);
Status ListAttachedRolePolicies(const IamCall& call, XmlWriter& result);

// simulate_ops.cc: the policy simulator.
Status SimulateCustomPolicy(const IamCall& call, XmlWriter& result);
Status SimulatePrincipalPolicy(const IamCall& call, XmlWriter& result);

}  // namespace lamina::services::iam
