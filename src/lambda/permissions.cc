// Resource-based policies: AddPermission (POST /2015-03-31/functions/{FunctionName}/policy),
// GetPolicy (GET .../policy) and RemovePermission (DELETE .../policy/{StatementId}), each with an
// optional Qualifier (a version or an alias; not $LATEST).
//
// The policy of the function itself and of each version or alias is kept in the function's
// record (FunctionRecord::policies) as {"Policy": document}; resource_policy.h evaluates it.
// Its RevisionId is that of the function, version or alias it belongs to, as on AWS.
#include <regex>

#include "common/crypto.h"
#include "lambda/errors.h"
#include "lambda/function_config.h"
#include "lambda/function_name.h"
#include "lambda/operation.h"

namespace lamina::lambda {

using json = nlohmann::json;

namespace {

constexpr size_t kMaxPolicyBytes = 20 * 1024;

// The qualifier a request names ("" for the function itself), which must exist; `op` is then
// pointed at the function.
StatusOr<std::string> PolicyQualifier(OpContext& op, std::string* function) {
  ASSIGN_OR_RETURN(FunctionRef ref, InvokedFunction(op));
  if (ref.qualifier == "$LATEST") {
    return InvalidParameterValue("We currently do not support adding policies for $LATEST.");
  }
  ASSIGN_OR_RETURN(auto record, LoadFunction(op));  // the version or alias must exist
  PointAtFunction(op, ref.name);
  *function = ref.name;
  return ref.qualifier;
}

// The RevisionId of what `qualifier` names: the function ($LATEST), an alias or a version.
std::string RevisionOf(const FunctionRecord& r, const std::string& qualifier) {
  if (qualifier.empty()) return r.revision_id();
  const json& holders = IsAliasName(qualifier) ? r.aliases : r.versions;
  auto holder = holders.find(qualifier);
  if (holder == holders.end() || !holder->is_object()) return "";
  const json& fields =
      IsAliasName(qualifier) ? *holder : holder->value("Configuration", json::object());
  return fields.value("RevisionId", "");
}

Status PolicyNotFound() { return ResourceNotFound("The resource you requested does not exist."); }

// AddPermission's Principal as a policy principal: a service, an account, an ARN or "*".
json PrincipalOf(const std::string& principal) {
  if (principal == "*") return "*";
  static const std::regex kAccount("[0-9]{12}");
  if (std::regex_match(principal, kAccount)) {
    return json{{"AWS", "arn:aws:iam::" + principal + ":root"}};
  }
  if (principal.rfind("arn:", 0) == 0) return json{{"AWS", principal}};
  return json{{"Service", principal}};
}

}  // namespace

OpResult AddPermission(OpContext& op) {
  using T = json::value_t;
  ASSIGN_OR_RETURN(json body, ParseBody(op.request.body));
  Violations v;
  std::map<std::string, std::string> members;
  for (const char* key :
       {"StatementId", "Action", "Principal", "SourceArn", "SourceAccount", "EventSourceToken",
        "RevisionId", "PrincipalOrgID", "FunctionUrlAuthType"}) {
    ASSIGN_OR_RETURN(const json* value, Member(body, key, T::string));
    if (value) members[key] = value->get<std::string>();
  }
  auto has = [&](const char* key) { return members.count(key) > 0; };
  for (auto [key, wire] : {std::pair{"StatementId", "statementId"}, std::pair{"Action", "action"},
                           std::pair{"Principal", "principal"}}) {
    if (!has(key)) v.Add(wire, nullptr, "Member must not be null");
  }
  static const std::regex kSid("[a-zA-Z0-9-_.]+");
  static const std::regex kAction(R"((lambda:[*]|lambda:[a-zA-Z]+|[*]))");
  static const std::regex kPrincipal(R"([^\s]+)");
  if (has("StatementId")) {
    v.Length("statementId", members["StatementId"], 1, 100);
    v.Pattern("statementId", members["StatementId"], std::regex_match(members["StatementId"], kSid),
              "([a-zA-Z0-9-_.]+)");
  }
  if (has("Action")) {
    v.Pattern("action", members["Action"], std::regex_match(members["Action"], kAction),
              "(lambda:[*]|lambda:[a-zA-Z]+|[*])");
  }
  if (has("Principal")) {
    v.Pattern("principal", members["Principal"], std::regex_match(members["Principal"], kPrincipal),
              R"([^\s]+)");
  }
  if (has("FunctionUrlAuthType") && members["FunctionUrlAuthType"] != "NONE" &&
      members["FunctionUrlAuthType"] != "AWS_IAM") {
    v.Add("functionUrlAuthType", &members["FunctionUrlAuthType"],
          "Member must satisfy enum value set: [AWS_IAM, NONE]");
  }
  RETURN_IF_ERROR(v.ToStatus());
  std::string function;
  ASSIGN_OR_RETURN(std::string qualifier, PolicyQualifier(op, &function));

  json statement = {{"Sid", members["StatementId"]},
                    {"Effect", "Allow"},
                    {"Principal", PrincipalOf(members["Principal"])},
                    {"Action", members["Action"]},
                    {"Resource", op.FunctionArn(function, qualifier)}};
  json condition = json::object();
  if (has("SourceAccount"))
    condition["StringEquals"]["AWS:SourceAccount"] = members["SourceAccount"];
  if (has("PrincipalOrgID"))
    condition["StringEquals"]["aws:PrincipalOrgID"] = members["PrincipalOrgID"];
  if (has("EventSourceToken")) {
    condition["StringEquals"]["lambda:EventSourceToken"] = members["EventSourceToken"];
  }
  if (has("FunctionUrlAuthType")) {
    condition["StringEquals"]["lambda:FunctionUrlAuthType"] = members["FunctionUrlAuthType"];
  }
  if (has("SourceArn")) condition["ArnLike"]["AWS:SourceArn"] = members["SourceArn"];
  if (!condition.empty()) statement["Condition"] = condition;

  ASSIGN_OR_RETURN(
      FunctionRecord record,
      ModifyFunction(
          op, "",
          [&](FunctionRecord& r) -> Status {
            json& entry = r.policies[qualifier];
            if (entry.is_null()) {
              entry = {
                  {"Policy",
                   {{"Version", "2012-10-17"}, {"Id", "default"}, {"Statement", json::array()}}}};
            }
            if (has("RevisionId") && members["RevisionId"] != RevisionOf(r, qualifier)) {
              return PreconditionFailedRevision();
            }
            for (const json& s : entry["Policy"]["Statement"]) {
              if (s.value("Sid", "") == members["StatementId"]) {
                return ResourceConflict(
                    "The statement id (" + members["StatementId"] +
                    ") provided already exists. Please provide a new statement id, or remove "
                    "the existing statement.");
              }
            }
            entry["Policy"]["Statement"].push_back(statement);
            size_t size = entry["Policy"].dump().size();
            if (size > kMaxPolicyBytes) {
              return Status(Code::kInvalidArgument,
                            "The final policy size (" + std::to_string(size) +
                                ") is bigger than the limit (" + std::to_string(kMaxPolicyBytes) +
                                ").",
                            "PolicyLengthExceededException");
            }
            return Status::Ok();
          },
          /*configuration_changes=*/false));
  return JsonResponse(201, json{{"Statement", statement.dump()}}.dump());
}

OpResult GetPolicy(OpContext& op) {
  std::string function;
  ASSIGN_OR_RETURN(std::string qualifier, PolicyQualifier(op, &function));
  ASSIGN_OR_RETURN(auto record, LoadFunction(op));
  auto entry = record->policies.find(qualifier);
  if (entry == record->policies.end() || (*entry)["Policy"]["Statement"].empty()) {
    return PolicyNotFound();
  }
  return JsonResponse(200, json{{"Policy", (*entry)["Policy"].dump()},
                                {"RevisionId", RevisionOf(*record, qualifier)}}
                               .dump());
}

OpResult RemovePermission(OpContext& op) {
  std::string function;
  const std::string sid = op.path["StatementId"];
  const std::string* revision = op.Query("RevisionId");
  ASSIGN_OR_RETURN(std::string qualifier, PolicyQualifier(op, &function));
  ASSIGN_OR_RETURN(
      FunctionRecord record,
      ModifyFunction(
          op, "",
          [&](FunctionRecord& r) -> Status {
            auto entry = r.policies.find(qualifier);
            if (entry == r.policies.end()) return PolicyNotFound();
            if (revision && *revision != RevisionOf(r, qualifier)) {
              return PreconditionFailedRevision();
            }
            json& statements = (*entry)["Policy"]["Statement"];
            for (auto s = statements.begin(); s != statements.end(); ++s) {
              if (s->value("Sid", "") != sid) continue;
              statements.erase(s);
              if (statements.empty()) r.policies.erase(entry);
              return Status::Ok();
            }
            return ResourceNotFound("Statement " + sid + " is not found in resource policy.");
          },
          /*configuration_changes=*/false));
  http::HttpResponse r;
  r.status = 204;
  return r;
}

}  // namespace lamina::lambda
