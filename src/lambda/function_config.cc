#include "lambda/function_config.h"

#include <algorithm>
#include <set>

#include "lambda/errors.h"
#include "lambda/validation.h"

namespace lamina::lambda {
namespace {

using json = nlohmann::json;

constexpr const char* kSupportedRuntimes[] = {
    "python3.8",  "python3.9",  "python3.10",   "python3.11",     "python3.12",
    "python3.13", "python3.14", "nodejs18.x",   "nodejs20.x",     "nodejs22.x",
    "nodejs24.x", "provided",   "provided.al2", "provided.al2023"};

// Every runtime name AWS's model knows; those Lamina does not run get a clear refusal.
constexpr const char* kAwsRuntimes[] = {
    "nodejs",     "nodejs4.3",       "nodejs6.10",     "nodejs8.10",    "nodejs10.x",
    "nodejs12.x", "nodejs14.x",      "nodejs16.x",     "java8",         "java8.al2",
    "java11",     "python2.7",       "python3.6",      "python3.7",     "python3.8",
    "python3.9",  "dotnetcore1.0",   "dotnetcore2.0",  "dotnetcore2.1", "dotnetcore3.1",
    "dotnet6",    "dotnet8",         "nodejs4.3-edge", "go1.x",         "ruby2.5",
    "ruby2.7",    "provided",        "provided.al2",   "nodejs18.x",    "python3.10",
    "java17",     "ruby3.2",         "ruby3.3",        "ruby3.4",       "python3.11",
    "nodejs20.x", "provided.al2023", "python3.12",     "java21",        "python3.13",
    "nodejs22.x", "nodejs24.x",      "python3.14",     "java25",        "dotnet10",
    "ruby4.0"};

constexpr const char* kDeprecatedRuntimes[] = {
    "nodejs",         "nodejs4.3",     "nodejs6.10",    "nodejs8.10",    "nodejs10.x",
    "nodejs12.x",     "nodejs14.x",    "nodejs16.x",    "python2.7",     "python3.6",
    "python3.7",      "dotnetcore1.0", "dotnetcore2.0", "dotnetcore2.1", "dotnetcore3.1",
    "nodejs4.3-edge", "go1.x",         "ruby2.5",       "ruby2.7",       "java8"};

constexpr const char* kReservedEnvironmentKeys[] = {"_HANDLER",
                                                    "_X_AMZN_TRACE_ID",
                                                    "AWS_DEFAULT_REGION",
                                                    "AWS_REGION",
                                                    "AWS_EXECUTION_ENV",
                                                    "AWS_LAMBDA_FUNCTION_NAME",
                                                    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
                                                    "AWS_LAMBDA_FUNCTION_VERSION",
                                                    "AWS_LAMBDA_INITIALIZATION_TYPE",
                                                    "AWS_LAMBDA_LOG_GROUP_NAME",
                                                    "AWS_LAMBDA_LOG_STREAM_NAME",
                                                    "AWS_ACCESS_KEY",
                                                    "AWS_ACCESS_KEY_ID",
                                                    "AWS_SECRET_ACCESS_KEY",
                                                    "AWS_SESSION_TOKEN",
                                                    "AWS_LAMBDA_RUNTIME_API",
                                                    "LAMBDA_TASK_ROOT",
                                                    "LAMBDA_RUNTIME_DIR"};

template <size_t N>
bool In(const char* const (&set)[N], const std::string& v) {
  return std::find_if(std::begin(set), std::end(set), [&](const char* s) { return v == s; }) !=
         std::end(set);
}

const char* TypeName(json::value_t type) {
  switch (type) {
    case json::value_t::string:
      return "string";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "integer";
    case json::value_t::boolean:
      return "boolean";
    case json::value_t::array:
      return "list";
    case json::value_t::object:
      return "structure";
    default:
      return "value";
  }
}

bool IsEnvironmentKey(const std::string& k) {
  if (k.size() < 2 || !isalpha(static_cast<unsigned char>(k[0]))) return false;
  return std::all_of(k.begin(), k.end(), [](unsigned char c) { return isalnum(c) || c == '_'; });
}

bool IsRoleArn(const std::string& arn) {
  // arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+
  if (arn.rfind("arn:", 0) != 0) return false;
  size_t p = arn.find(":iam::", 4);
  if (p == std::string::npos) return false;
  std::string partition = arn.substr(4, p - 4);
  if (!partition.empty() && partition.rfind("aws", 0) != 0) return false;
  std::string rest = arn.substr(p + 6);
  if (rest.size() < 18 || rest[12] != ':' || rest.compare(13, 4, "role") != 0) return false;
  if (!std::all_of(rest.begin(), rest.begin() + 12, [](unsigned char c) { return isdigit(c); })) {
    return false;
  }
  std::string name = rest.substr(17);
  if (!name.empty() && name[0] == '/') name = name.substr(1);
  return !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return isalnum(c) ||
           std::string_view("_+=,.@-/").find(static_cast<char>(c)) != std::string_view::npos;
  });
}

bool IsLayerArn(const std::string& arn) {
  // arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+
  std::vector<std::string> parts;
  size_t pos = 0;
  for (;;) {
    size_t next = arn.find(':', pos);
    parts.push_back(arn.substr(pos, next == std::string::npos ? next : next - pos));
    if (next == std::string::npos) break;
    pos = next + 1;
  }
  auto all = [](const std::string& s, auto pred) {
    return !s.empty() && std::all_of(s.begin(), s.end(), pred);
  };
  auto word = [](unsigned char c) { return isalnum(c) || c == '-' || c == '_'; };
  auto digit = [](unsigned char c) { return isdigit(c) != 0; };
  return arn.size() <= 140 && parts.size() == 8 && parts[0] == "arn" && all(parts[1], word) &&
         parts[2] == "lambda" && all(parts[3], word) && parts[4].size() == 12 &&
         all(parts[4], digit) && parts[5] == "layer" && all(parts[6], word) && all(parts[7], digit);
}

Status CheckEnum(const std::string& value, const std::string& member,
                 std::initializer_list<const char*> allowed, Violations& v) {
  for (const char* a : allowed) {
    if (value == a) return Status::Ok();
  }
  std::string set;
  for (const char* a : allowed) set += (set.empty() ? "" : ", ") + std::string(a);
  v.Add(member, &value, "Member must satisfy enum value set: [" + set + "]");
  return Status::Ok();
}

Status ApplyRuntime(const std::string& runtime) {
  if (!In(kAwsRuntimes, runtime)) {
    std::string set;
    for (const char* r : kAwsRuntimes) set += (set.empty() ? "" : ", ") + std::string(r);
    return InvalidParameterValue("Value " + runtime +
                                 " at 'runtime' failed to satisfy constraint: Member must satisfy "
                                 "enum value set: [" +
                                 set + "] or be a valid ARN");
  }
  if (In(kDeprecatedRuntimes, runtime)) {
    return InvalidParameterValue("The runtime parameter of " + runtime +
                                 " is no longer supported for creating or updating AWS Lambda "
                                 "functions. We recommend you use a supported runtime while "
                                 "creating or updating functions.");
  }
  if (!IsSupportedRuntime(runtime)) {
    return InvalidParameterValue("The runtime parameter of " + runtime +
                                 " is not supported by Lamina. Supported runtimes: python3.8 to "
                                 "python3.14, nodejs18.x to nodejs24.x, provided, provided.al2, "
                                 "provided.al2023.");
  }
  return Status::Ok();
}

Status ApplyEnvironment(const json& environment, json& configuration) {
  ASSIGN_OR_RETURN(const json* variables, Member(environment, "Variables", json::value_t::object));
  json vars = json::object();
  if (variables) {
    Violations v;
    std::string reserved;
    for (const auto& [key, value] : variables->items()) {
      if (!value.is_string()) {
        return InvalidRequestContent(
            "Could not parse request body into json: Unexpected value "
            "for environment variable '" +
            key + "': expected string");
      }
      if (!IsEnvironmentKey(key)) {
        v.Add("environment.variables", &key,
              "Map keys must satisfy constraint: [Member must satisfy regular expression pattern: "
              "[a-zA-Z]([a-zA-Z0-9_])+]");
      }
      if (In(kReservedEnvironmentKeys, key)) reserved += (reserved.empty() ? "" : ", ") + key;
      vars[key] = value;
    }
    RETURN_IF_ERROR(v.ToStatus());
    if (!reserved.empty()) {
      return InvalidParameterValue(
          "Lambda was unable to configure your environment variables because the environment "
          "variables you have provided contains reserved keys that are currently not supported "
          "for modification. Reserved keys used in this request: " +
          reserved);
    }
    std::string measured = vars.dump();
    if (measured.size() > 4096) {
      return InvalidParameterValue(
          "Lambda was unable to configure your environment variables because the environment "
          "variables you have provided exceeded the 4KB limit. String measured: " +
          measured);
    }
  }
  if (vars.empty()) {
    configuration.erase("Environment");
  } else {
    configuration["Environment"] = {{"Variables", vars}};
  }
  return Status::Ok();
}

}  // namespace

bool IsSupportedRuntime(const std::string& runtime) { return In(kSupportedRuntimes, runtime); }

Status CheckArchitectures(const json& architectures, Violations& v) {
  // AWS shows the list as [a, b]; a bad entry fails the list's member constraint as a whole.
  std::string shown;
  for (const json& a : architectures) {
    if (!a.is_string()) {
      return InvalidRequestContent(
          "Could not parse request body into json: architectures must be strings");
    }
    shown += (shown.empty() ? "" : ", ") + a.get<std::string>();
  }
  shown = "[" + shown + "]";
  if (architectures.size() > 1) {
    v.Add("architectures", &shown, "Member must have length less than or equal to 1");
  } else if (architectures.empty()) {
    v.Add("architectures", &shown, "Member must have length greater than or equal to 1");
  } else if (architectures[0] != "x86_64" && architectures[0] != "arm64") {
    v.Add("architectures", &shown,
          "Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], "
          "Member must not be null]");
  }
  return Status::Ok();
}

StatusOr<nlohmann::json> ParseBody(const std::string& body) {
  if (body.empty()) return json::object();
  json doc = json::parse(body, nullptr, false);
  if (doc.is_discarded()) {
    return InvalidRequestContent(
        "Could not parse request body into json: Could not parse "
        "payload into json: the body is not well-formed JSON");
  }
  if (!doc.is_object()) {
    return InvalidRequestContent(
        "Could not parse request body into json: Could not parse "
        "payload into json: expected a JSON object");
  }
  return doc;
}

StatusOr<const nlohmann::json*> Member(const nlohmann::json& body, const char* name,
                                       nlohmann::json::value_t type) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return static_cast<const json*>(nullptr);
  bool matches =
      it->type() == type || (type == json::value_t::number_integer && it->is_number_unsigned());
  if (!matches) {
    return InvalidRequestContent(std::string("Could not parse request body into json: Could not "
                                             "deserialize member '") +
                                 name + "': expected " + TypeName(type) + ", got " +
                                 it->type_name());
  }
  return &*it;
}

Status ApplyConfiguration(const json& body, bool creating, const http::CallContext& call,
                          LambdaDeps& deps, json& configuration) {
  using T = json::value_t;
  Violations v;
  const std::string function_name = configuration.value("FunctionName", "");

  ASSIGN_OR_RETURN(const json* role, Member(body, "Role", T::string));
  ASSIGN_OR_RETURN(const json* handler, Member(body, "Handler", T::string));
  ASSIGN_OR_RETURN(const json* description, Member(body, "Description", T::string));
  ASSIGN_OR_RETURN(const json* timeout, Member(body, "Timeout", T::number_integer));
  ASSIGN_OR_RETURN(const json* memory, Member(body, "MemorySize", T::number_integer));
  ASSIGN_OR_RETURN(const json* runtime, Member(body, "Runtime", T::string));
  ASSIGN_OR_RETURN(const json* environment, Member(body, "Environment", T::object));
  ASSIGN_OR_RETURN(const json* layers, Member(body, "Layers", T::array));
  ASSIGN_OR_RETURN(const json* ephemeral, Member(body, "EphemeralStorage", T::object));
  ASSIGN_OR_RETURN(const json* tracing, Member(body, "TracingConfig", T::object));
  ASSIGN_OR_RETURN(const json* dead_letter, Member(body, "DeadLetterConfig", T::object));
  ASSIGN_OR_RETURN(const json* kms, Member(body, "KMSKeyArn", T::string));
  ASSIGN_OR_RETURN(const json* logging, Member(body, "LoggingConfig", T::object));
  ASSIGN_OR_RETURN(const json* vpc, Member(body, "VpcConfig", T::object));
  const json* package_type = nullptr;
  const json* architectures = nullptr;
  if (creating) {
    ASSIGN_OR_RETURN(package_type, Member(body, "PackageType", T::string));
    ASSIGN_OR_RETURN(architectures, Member(body, "Architectures", T::array));
  }

  // Shape constraints first, all reported together as AWS does.
  if (role) {
    v.Pattern("role", role->get<std::string>(), IsRoleArn(role->get<std::string>()),
              "arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+");
  }
  if (handler) {
    const std::string h = handler->get<std::string>();
    v.Length("handler", h, 0, 128);
    if (h.find_first_of(" \t\r\n\f\v") != std::string::npos) {
      v.Add("handler", &h, "Member must satisfy regular expression pattern: [^\\s]+");
    }
  }
  if (description) v.Length("description", description->get<std::string>(), 0, 256);
  if (timeout) v.Range("timeout", timeout->get<int64_t>(), 1, 900);
  if (memory) v.Range("memorySize", memory->get<int64_t>(), 128, 10240);
  int64_t ephemeral_size = 512;
  if (ephemeral) {
    ASSIGN_OR_RETURN(const json* size, Member(*ephemeral, "Size", T::number_integer));
    if (!size) {
      v.Add("ephemeralStorage.size", nullptr, "Member must not be null");
    } else {
      ephemeral_size = size->get<int64_t>();
      v.Range("ephemeralStorage.size", ephemeral_size, 512, 10240);
    }
  }
  if (architectures) RETURN_IF_ERROR(CheckArchitectures(*architectures, v));
  if (package_type)
    RETURN_IF_ERROR(
        CheckEnum(package_type->get<std::string>(), "packageType", {"Zip", "Image"}, v));
  std::string tracing_mode;
  if (tracing) {
    ASSIGN_OR_RETURN(const json* mode, Member(*tracing, "Mode", T::string));
    if (mode) {
      tracing_mode = mode->get<std::string>();
      RETURN_IF_ERROR(CheckEnum(tracing_mode, "tracingConfig.mode", {"Active", "PassThrough"}, v));
    }
  }
  json layer_list = json::array();
  if (layers) {
    if (layers->size() > 5) {
      return InvalidParameterValue("Cannot reference more than 5 layers.");
    }
    for (const json& l : *layers) {
      if (!l.is_string()) {
        return InvalidRequestContent(
            "Could not parse request body into json: layers must be "
            "strings");
      }
      v.Pattern("layers.member", l.get<std::string>(), IsLayerArn(l.get<std::string>()),
                "arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+");
      layer_list.push_back({{"Arn", l}, {"CodeSize", 0}});
    }
  }
  json logging_out;
  if (logging) {
    logging_out = configuration.value("LoggingConfig", json::object());
    // One call per member: an initializer_list nested in a range-for's list would dangle.
    auto check = [&](const char* key, std::initializer_list<const char*> allowed) -> Status {
      ASSIGN_OR_RETURN(const json* value, Member(*logging, key, T::string));
      if (!value) return Status::Ok();
      std::string member =
          std::string("loggingConfig.") + static_cast<char>(tolower(key[0])) + std::string(key + 1);
      RETURN_IF_ERROR(CheckEnum(value->get<std::string>(), member, allowed, v));
      logging_out[key] = *value;
      return Status::Ok();
    };
    RETURN_IF_ERROR(check("LogFormat", {"JSON", "Text"}));
    RETURN_IF_ERROR(
        check("ApplicationLogLevel", {"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"}));
    RETURN_IF_ERROR(check("SystemLogLevel", {"DEBUG", "INFO", "WARN"}));
    ASSIGN_OR_RETURN(const json* group, Member(*logging, "LogGroup", T::string));
    if (group) logging_out["LogGroup"] = *group;
  }
  RETURN_IF_ERROR(v.ToStatus());

  // Semantic checks, in the order AWS applies them.
  if (package_type && package_type->get<std::string>() == "Image") {
    return InvalidParameterValue("Lamina runs Zip packages; PackageType Image is not supported.");
  }
  if (runtime) RETURN_IF_ERROR(ApplyRuntime(runtime->get<std::string>()));
  if (creating && (!runtime || !handler)) {
    return InvalidParameterValue(
        "Runtime and Handler are mandatory parameters for functions "
        "created with deployment packages.");
  }
  if (role) {
    // Whoever gives a function a role passes that role on, as on AWS.
    RETURN_IF_ERROR(call.Authorize("iam:PassRole", role->get<std::string>()));
    ASSIGN_OR_RETURN(bool assumable,
                     deps.iam->CanLambdaAssume(role->get<std::string>(), call.account_id));
    if (!assumable) {
      return InvalidParameterValue(
          "The role defined for the function cannot be assumed by "
          "Lambda.");
    }
  }
  if (environment) RETURN_IF_ERROR(ApplyEnvironment(*environment, configuration));
  if (logging_out.is_object() && logging_out.value("LogFormat", "Text") == "Text" &&
      (logging_out.contains("ApplicationLogLevel") || logging_out.contains("SystemLogLevel"))) {
    return InvalidParameterValue(
        "Advanced logging controls (ApplicationLogLevel, "
        "SystemLogLevel) require LogFormat JSON.");
  }

  // Write what was given, then defaults for what a new function lacks.
  if (role) configuration["Role"] = *role;
  if (handler) configuration["Handler"] = *handler;
  if (runtime) configuration["Runtime"] = *runtime;
  if (description) configuration["Description"] = *description;
  if (timeout) configuration["Timeout"] = *timeout;
  if (memory) configuration["MemorySize"] = *memory;
  if (ephemeral) configuration["EphemeralStorage"] = {{"Size", ephemeral_size}};
  if (!tracing_mode.empty()) configuration["TracingConfig"] = {{"Mode", tracing_mode}};
  if (layers) {
    if (layer_list.empty()) {
      configuration.erase("Layers");
    } else {
      configuration["Layers"] = layer_list;
    }
  }
  if (dead_letter) {
    ASSIGN_OR_RETURN(const json* target, Member(*dead_letter, "TargetArn", T::string));
    if (target && !target->get<std::string>().empty()) {
      configuration["DeadLetterConfig"] = {{"TargetArn", *target}};
    } else {
      configuration.erase("DeadLetterConfig");
    }
  }
  if (kms) configuration["KMSKeyArn"] = *kms;
  if (vpc) {
    json out = {{"SubnetIds", vpc->value("SubnetIds", json::array())},
                {"SecurityGroupIds", vpc->value("SecurityGroupIds", json::array())},
                {"VpcId", ""}};
    configuration["VpcConfig"] = out;
  }
  if (logging_out.is_object()) configuration["LoggingConfig"] = logging_out;
  if (creating) {
    configuration["PackageType"] = "Zip";
    configuration["Architectures"] = architectures ? *architectures : json::array({"x86_64"});
    if (!description) configuration["Description"] = "";
    if (!timeout) configuration["Timeout"] = 3;
    if (!memory) configuration["MemorySize"] = 128;
    if (!ephemeral) configuration["EphemeralStorage"] = {{"Size", 512}};
    if (tracing_mode.empty()) configuration["TracingConfig"] = {{"Mode", "PassThrough"}};
    json log_config = configuration.value("LoggingConfig", json::object());
    if (!log_config.contains("LogFormat")) log_config["LogFormat"] = "Text";
    if (!log_config.contains("LogGroup")) log_config["LogGroup"] = "/aws/lambda/" + function_name;
    configuration["LoggingConfig"] = log_config;
    configuration["SnapStart"] = {{"ApplyOn", "None"}, {"OptimizationStatus", "Off"}};
  }
  return Status::Ok();
}

}  // namespace lamina::lambda
