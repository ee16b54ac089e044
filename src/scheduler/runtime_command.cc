#include "scheduler/runtime_command.h"

#include <map>

namespace lamina::scheduler {

namespace {

// node's command line as AWS's /var/runtime/bootstrap builds it: the young and old generations
// sized from the function's memory, unless the function's NODE_OPTIONS already sizes them.
std::vector<std::string> NodeCommand(const FunctionSpec& spec) {
  std::vector<std::string> argv = {"/usr/bin/node", "--expose-gc", "--max-http-header-size=81920"};
  std::string node_options;
  for (const auto& [k, v] : spec.environment) {
    if (k == "NODE_OPTIONS") node_options = v;
  }
  if (node_options.find("--max-semi-space-size") == std::string::npos &&
      node_options.find("--max-old-space-size") == std::string::npos) {
    int64_t young = spec.memory_mb / 10;
    argv.push_back("--max-semi-space-size=" + std::to_string(young / 2));
    argv.push_back("--max-old-space-size=" + std::to_string(spec.memory_mb - young));
  }
  argv.push_back("/var/runtime/nodejs/bootstrap.js");
  return argv;
}

}  // namespace

std::vector<std::string> BootstrapCommand(const FunctionSpec& spec) {
  if (spec.runtime.rfind("python", 0) == 0) {
    // The host's python serves every python3.x runtime. -S skips site and its imports; -B
    // writes no .pyc (/var/task is read-only anyway).
    return {"/usr/bin/python3", "-S", "-B", "/var/runtime/python/bootstrap.py"};
  }
  if (spec.runtime.rfind("nodejs", 0) == 0) return NodeCommand(spec);
  return {"/var/task/bootstrap"};  // provided, provided.al2, provided.al2023
}

std::vector<std::string> RuntimeEnvironment(const FunctionSpec& spec,
                                            const std::string& log_stream) {
  std::map<std::string, std::string> defaults = {
      {"LANG", "en_US.UTF-8"},
      {"PATH", "/usr/local/bin:/usr/bin/:/bin:/opt/bin"},
      {"LD_LIBRARY_PATH",
       "/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib"},
      {"AWS_XRAY_CONTEXT_MISSING", "LOG_ERROR"},
      {"AWS_XRAY_DAEMON_ADDRESS", "127.0.0.1:2000"},
      {"HOME", "/tmp"},
      // The platform's AWS endpoint, relayed by lamina-init (current SDKs read this).
      {"AWS_ENDPOINT_URL", "http://127.0.0.1:9002"},
  };
  if (spec.runtime.rfind("nodejs", 0) == 0) {
    defaults["NODE_PATH"] = "/opt/nodejs/node_modules:/var/runtime/node_modules:/var/task";
  }
  for (const auto& [k, v] : spec.environment) defaults[k] = v;
  std::map<std::string, std::string> reserved = {
      {"_HANDLER", spec.handler},
      {"AWS_REGION", spec.region},
      {"AWS_DEFAULT_REGION", spec.region},
      {"AWS_LAMBDA_FUNCTION_NAME", spec.name},
      {"AWS_LAMBDA_FUNCTION_MEMORY_SIZE", std::to_string(spec.memory_mb)},
      {"AWS_LAMBDA_FUNCTION_VERSION", spec.version},
      {"AWS_LAMBDA_INITIALIZATION_TYPE", spec.initialization_type},
      {"AWS_LAMBDA_LOG_GROUP_NAME", spec.log_group},
      {"AWS_LAMBDA_LOG_STREAM_NAME", log_stream},
      {"AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001"},
      {"LAMBDA_TASK_ROOT", "/var/task"},
      {"LAMBDA_RUNTIME_DIR", "/var/runtime"},
      {"TZ", ":UTC"},
  };
  if (spec.credentials_expire_ms != 0) {
    reserved["AWS_ACCESS_KEY_ID"] = spec.access_key_id;
    reserved["AWS_SECRET_ACCESS_KEY"] = spec.secret_access_key;
    reserved["AWS_SESSION_TOKEN"] = spec.session_token;
  }
  // AWS leaves it undefined for the OS-only runtimes (the provided family).
  if (spec.runtime.rfind("provided", 0) != 0) {
    reserved["AWS_EXECUTION_ENV"] = "AWS_Lambda_" + spec.runtime;
  }
  // Advanced logging controls: the runtime formats and filters its own records.
  if (spec.log_format == "JSON") {
    reserved["AWS_LAMBDA_LOG_FORMAT"] = "JSON";
    reserved["AWS_LAMBDA_LOG_LEVEL"] =
        spec.application_log_level.empty() ? "INFO" : spec.application_log_level;
  }
  std::vector<std::string> out;
  for (const auto& [k, v] : reserved) out.push_back(k + "=" + v);
  for (const auto& [k, v] : defaults) {
    if (!reserved.count(k)) out.push_back(k + "=" + v);
  }
  return out;
}

}  // namespace lamina::scheduler
