// Aliases: POST/GET /2015-03-31/functions/{FunctionName}/aliases (create, list) and
// GET/PUT/DELETE .../aliases/{Name}.
//
// An alias names a version (never itself a number) and may send a share of its invocations to
// one additional version (RoutingConfig.AdditionalVersionWeights); function_record.h
// ResolveQualifier routes them. Aliases live in the function's record.
#include <regex>

#include "common/crypto.h"
#include "lambda/errors.h"
#include "lambda/function_config.h"
#include "lambda/function_name.h"
#include "lambda/operation.h"

namespace lamina::lambda {

using json = nlohmann::json;

namespace {

// Records a violation unless `value` (functionVersion) is a version name ($LATEST or a number).
void CheckVersionName(const std::string& value, Violations& v) {
  static const std::regex kVersion(R"(\$LATEST|[0-9]+)");
  v.Pattern("functionVersion", value, std::regex_match(value, kVersion), R"((\$LATEST|[0-9]+))");
}

Status AliasNotFound(const std::string& arn) { return ResourceNotFound("Alias not found: " + arn); }

json Describe(OpContext& op, const std::string& function, const std::string& name,
              const json& alias) {
  json out = {{"AliasArn", op.FunctionArn(function, name)},
              {"Name", name},
              {"FunctionVersion", alias.value("FunctionVersion", "")},
              {"Description", alias.value("Description", "")},
              {"RevisionId", alias.value("RevisionId", "")}};
  if (alias.contains("RoutingConfig")) out["RoutingConfig"] = alias["RoutingConfig"];
  return out;
}

// The members CreateAlias and UpdateAlias share, checked against the model and written into
// `alias`; the versions they name are checked against the function by CheckVersions.
Status ReadAlias(const json& body, Violations& v, json& alias) {
  using T = json::value_t;
  ASSIGN_OR_RETURN(const json* version, Member(body, "FunctionVersion", T::string));
  ASSIGN_OR_RETURN(const json* description, Member(body, "Description", T::string));
  ASSIGN_OR_RETURN(const json* routing, Member(body, "RoutingConfig", T::object));
  if (version) {
    std::string value = version->get<std::string>();
    v.Length("functionVersion", value, 1, 1024);
    CheckVersionName(value, v);
    alias["FunctionVersion"] = value;
  }
  if (description) {
    v.Length("description", description->get<std::string>(), 0, 256);
    alias["Description"] = *description;
  }
  if (routing) {
    ASSIGN_OR_RETURN(const json* weights, Member(*routing, "AdditionalVersionWeights", T::object));
    json stored = json::object();
    if (weights) {
      for (const auto& [key, weight] : weights->items()) {
        if (!weight.is_number()) {
          return InvalidRequestContent(
              "Could not parse request body into json: Could not deserialize member "
              "'AdditionalVersionWeights': expected a number");
        }
        double w = weight.get<double>();
        if (w < 0.0 || w > 1.0) {
          std::string shown = "{" + key + "=" + weight.dump() + "}";
          v.Add("routingConfig.additionalVersionWeights", &shown,
                "Map value must satisfy constraint: [Member must have value less than or equal "
                "to 1.0, Member must have value greater than or equal to 0.0]");
        }
        stored[key] = w;
      }
      if (weights->size() > 1) {
        return InvalidParameterValue(
            "Number of items in AdditionalVersionWeights cannot be greater than 1");
      }
    }
    if (stored.empty()) {
      alias.erase("RoutingConfig");
    } else {
      alias["RoutingConfig"] = {{"AdditionalVersionWeights", stored}};
    }
  }
  return Status::Ok();
}

// The versions `alias` names must exist; an additional version must differ from the main one,
// which may not be $LATEST.
Status CheckVersions(OpContext& op, const FunctionRecord& record, const json& alias) {
  std::vector<std::string> versions = AliasVersions(alias);
  const std::string main = versions.front();
  if (main != "$LATEST" && !record.versions.contains(main)) {
    return FunctionNotFound(op.FunctionArn(record.name(), main));
  }
  for (size_t i = 1; i < versions.size(); ++i) {
    const std::string& extra = versions[i];
    if (main == "$LATEST" || extra == "$LATEST") {
      return InvalidParameterValue(
          "$LATEST is not supported for an alias pointing to more than 1 version");
    }
    if (extra == main) {
      return InvalidParameterValue("Invalid function version " + extra + ". Function version " +
                                   extra + " is already included in routing configuration.");
    }
    if (!record.versions.contains(extra)) {
      return FunctionNotFound(op.FunctionArn(record.name(), extra));
    }
  }
  return Status::Ok();
}

// The function a request names, which must be unqualified; `op` is pointed at it.
StatusOr<std::string> FunctionOf(OpContext& op) {
  return UnqualifiedFunction(op, "Aliases cannot be managed through a qualified function name.");
}

http::HttpResponse Empty(int status) {
  http::HttpResponse r;
  r.status = status;
  return r;
}

}  // namespace

OpResult CreateAlias(OpContext& op) {
  ASSIGN_OR_RETURN(json body, ParseBody(op.request.body));
  Violations v;
  ASSIGN_OR_RETURN(const json* name_member, Member(body, "Name", json::value_t::string));
  std::string name = name_member ? name_member->get<std::string>() : "";
  if (!name_member) {
    v.Add("name", nullptr, "Member must not be null");
  } else {
    v.Length("name", name, 1, 128);
    static const std::regex kAlias("[a-zA-Z0-9-_]+");
    bool numeric = !name.empty() && name.find_first_not_of("0123456789") == std::string::npos;
    v.Pattern("name", name, std::regex_match(name, kAlias) && !numeric,
              "(?!^[0-9]+$)([a-zA-Z0-9-_]+)");
  }
  if (!body.contains("FunctionVersion"))
    v.Add("functionVersion", nullptr, "Member must not be null");
  json alias = json::object();
  RETURN_IF_ERROR(ReadAlias(body, v, alias));
  RETURN_IF_ERROR(v.ToStatus());
  ASSIGN_OR_RETURN(std::string function, FunctionOf(op));
  alias["RevisionId"] = RandomUuid();
  ASSIGN_OR_RETURN(
      FunctionRecord record,
      ModifyFunction(
          op, "",
          [&](FunctionRecord& r) -> Status {
            if (r.aliases.contains(name)) {
              return ResourceConflict("Alias already exists: " + op.FunctionArn(function, name));
            }
            RETURN_IF_ERROR(CheckVersions(op, r, alias));
            r.aliases[name] = alias;
            return Status::Ok();
          },
          /*configuration_changes=*/false));
  return JsonResponse(201, Describe(op, function, name, alias).dump());
}

OpResult GetAlias(OpContext& op) {
  ASSIGN_OR_RETURN(std::string function, FunctionOf(op));
  const std::string& name = op.path["Name"];
  ASSIGN_OR_RETURN(auto record, LoadFunction(op));
  auto alias = record->aliases.find(name);
  if (alias == record->aliases.end()) return AliasNotFound(op.FunctionArn(function, name));
  return JsonResponse(200, Describe(op, function, name, *alias).dump());
}

OpResult UpdateAlias(OpContext& op) {
  ASSIGN_OR_RETURN(json body, ParseBody(op.request.body));
  Violations v;
  json changes = json::object();
  RETURN_IF_ERROR(ReadAlias(body, v, changes));
  ASSIGN_OR_RETURN(const json* revision, Member(body, "RevisionId", json::value_t::string));
  RETURN_IF_ERROR(v.ToStatus());
  ASSIGN_OR_RETURN(std::string function, FunctionOf(op));
  const std::string name = op.path["Name"];
  bool routing_given = body.contains("RoutingConfig");
  json updated;
  std::optional<FunctionRecord> before;
  ASSIGN_OR_RETURN(
      FunctionRecord record,
      ModifyFunction(
          op, "",
          [&](FunctionRecord& r) -> Status {
            if (!r.aliases.contains(name)) {
              return AliasNotFound(op.FunctionArn(function, name));
            }
            before = r;
            json& alias = r.aliases[name];
            if (revision && revision->get<std::string>() != alias.value("RevisionId", "")) {
              return PreconditionFailedRevision();
            }
            for (auto& [key, value] : changes.items()) alias[key] = value;
            if (routing_given && !changes.contains("RoutingConfig")) {
              alias.erase("RoutingConfig");
            }
            RETURN_IF_ERROR(CheckVersions(op, r, alias));
            alias["RevisionId"] = RandomUuid();
            updated = alias;
            return Status::Ok();
          },
          /*configuration_changes=*/false));
  // Provisioned concurrency on the alias follows it to its new version.
  if (auto provisioned = record.provisioned.find(name);
      provisioned != record.provisioned.end() &&
      before->aliases[name].value("FunctionVersion", "") != updated.value("FunctionVersion", "")) {
    RETURN_IF_ERROR(ApplyProvisioned(op.deps, *before, name, 0));
    RETURN_IF_ERROR(ApplyProvisioned(op.deps, record, name, provisioned->value("Requested", 0)));
  }
  return JsonResponse(200, Describe(op, function, name, updated).dump());
}

OpResult DeleteAlias(OpContext& op) {
  ASSIGN_OR_RETURN(std::string function, FunctionOf(op));
  const std::string name = op.path["Name"];
  std::optional<FunctionRecord> before;
  auto deleted = ModifyFunction(
      op, "",
      [&](FunctionRecord& r) -> Status {
        before = r;
        if (r.aliases.erase(name) == 0) return Status(Code::kNotFound, "");
        r.provisioned.erase(name);
        // What was set on the alias goes with it.
        r.event_invoke.erase(name);
        r.policies.erase(name);
        return Status::Ok();
      },
      /*configuration_changes=*/false);
  // Deleting an alias that does not exist succeeds, as on AWS.
  if (!deleted.ok() && deleted.status().code() != Code::kNotFound) return deleted.status();
  if (deleted.ok() && before->provisioned.contains(name)) {
    RETURN_IF_ERROR(ApplyProvisioned(op.deps, *before, name, 0));
  }
  return Empty(204);
}

OpResult ListAliases(OpContext& op) {
  Violations v;
  ASSIGN_OR_RETURN(int64_t max_items, ReadMaxItems(op, v));
  const std::string* version = op.Query("FunctionVersion");
  if (version) {
    CheckVersionName(*version, v);
  }
  RETURN_IF_ERROR(v.ToStatus());
  ASSIGN_OR_RETURN(std::string function, FunctionOf(op));
  ASSIGN_OR_RETURN(auto record, LoadFunction(op));
  std::vector<std::string> names;
  for (const auto& [name, alias] : record->aliases.items()) {
    if (!version || alias.value("FunctionVersion", "") == *version) names.push_back(name);
  }
  ASSIGN_OR_RETURN(PageRange page, PageOf(op, names, max_items));
  json aliases = json::array();
  for (size_t i = page.start; i < page.end; ++i) {
    aliases.push_back(Describe(op, function, names[i], record->aliases[names[i]]));
  }
  json body = {{"Aliases", aliases}};
  if (page.end < names.size()) body["NextMarker"] = names[page.end - 1];
  return JsonResponse(200, body.dump());
}

}  // namespace lamina::lambda
