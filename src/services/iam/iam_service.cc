#include "services/iam/iam_service.h"

#include <optional>
#include <string>
#include <utility>

#include "common/xml_writer.h"
#include "services/iam/arns.h"
#include "services/iam/operations.h"
#include "services/iam/query_protocol.h"
#include "services/iam/role_policy_store.h"
#include "services/iam/role_store.h"
#include "services/iam/trust_policy.h"

namespace lamina::services::iam {
namespace {

constexpr QueryApi kIamApi{"https://iam.amazonaws.com/doc/2010-05-08/", "2010-05-08"};

struct OperationEntry {
  std::string_view action;
  Operation run;
  bool has_result;  // operations without output answer with ResponseMetadata only
  bool changes;     // whether it changes roles or their policies
};

constexpr OperationEntry kOperations[] = {
    {"CreateRole", CreateRole, true, true},
    {"GetRole", GetRole, true, false},
    {"ListRoles", ListRoles, true, false},
    {"DeleteRole", DeleteRole, false, true},
    {"PutRolePolicy", PutRolePolicy, false, true},
    {"GetRolePolicy", GetRolePolicy, true, false},
    {"DeleteRolePolicy", DeleteRolePolicy, false, true},
    {"ListRolePolicies", ListRolePolicies, true, false},
    {"AttachRolePolicy", AttachRolePolicy, false, true},
    {"DetachRolePolicy", DetachRolePolicy, false, true},
    {"ListAttachedRolePolicies", ListAttachedRolePolicies, true, false},
    {"SimulateCustomPolicy", SimulateCustomPolicy, true, false},
    {"SimulatePrincipalPolicy", SimulatePrincipalPolicy, true, false},
};

const OperationEntry* FindOperation(std::string_view action) {
  for (const OperationEntry& entry : kOperations) {
    if (entry.action == action) return &entry;
  }
  return nullptr;
}

// The resource an operation acts on, as IAM policies name it: the role's ARN (with the path of
// the role as stored, when it exists) for role operations, else "*".
StatusOr<std::string> ResourceOf(const http::CallContext& context, const QueryArgs& args,
                                 const RoleStore& roles) {
  const std::string* name = args.Find("RoleName");
  if (name == nullptr) return std::string("*");
  Role role;
  role.name = *name;
  ASSIGN_OR_RETURN(std::optional<StoredRole> found, roles.Find(*name));
  if (found) role = std::move(found->role);
  return RoleArn(context.account_id, role);
}

}  // namespace

IamService::IamService(store::Store* store, const Clock* clock)
    : store_(store), clock_(clock), authorizer_(store) {}

void IamService::Handle(const http::CallContext& context, http::HttpRequest request,
                        http::Responder respond) {
  auto args = QueryArgs::Parse(request);
  if (!args.ok()) return respond(RenderError(context, args.status()));
  auto action = RequestedAction(*args, kIamApi);
  if (!action.ok()) return respond(RenderError(context, action.status()));
  const OperationEntry* operation = FindOperation(*action);
  if (operation == nullptr) return respond(RenderError(context, UnknownAction(kIamApi, *action)));

  RoleStore roles(store_);
  RolePolicyStore policies(store_, &roles);
  if (!context.role_name.empty()) {  // only role sessions are limited
    auto resource = ResourceOf(context, *args, roles);
    if (!resource.ok()) return respond(RenderError(context, resource.status()));
    Status allowed = context.Authorize("iam:" + *action, *resource);
    if (!allowed.ok()) return respond(RenderError(context, allowed));
  }
  IamCall call{context, *args, *clock_, roles, policies, authorizer_};
  XmlWriter result;
  Status status = operation->run(call, result);
  if (operation->changes) authorizer_.Invalidate();
  if (!status.ok()) return respond(RenderError(context, status));
  std::string result_xml = result.Finish();
  respond(RenderQueryResult(kIamApi, *action, operation->has_result ? &result_xml : nullptr,
                            context.request_id));
}

http::HttpResponse IamService::RenderError(const http::CallContext& context,
                                           const Status& status) const {
  return RenderQueryError(kIamApi, status, context.request_id);
}

StatusOr<bool> IamService::CanLambdaAssume(const std::string& role_arn,
                                           const std::string& account_id) const {
  std::optional<RoleArnParts> arn = ParseRoleArn(role_arn);
  if (!arn || arn->account_id != account_id) return false;
  RoleStore roles(store_);
  ASSIGN_OR_RETURN(std::optional<StoredRole> found, roles.Find(arn->name));
  // The path is part of a role's ARN: the same name under another path is not this role.
  if (!found || found->role.path != arn->path) return false;
  return TrustsLambda(found->role.assume_role_policy_document);
}

}  // namespace lamina::services::iam
