#include "scheduler/runtime_command.h"

#include <map>

namespace lamina::scheduler {

std::vector<std::string> BootstrapCommand(const std::string& runtime) {
  if (runtime.rfind("python", 0) == 0) {
    // The host's python serves every python3.x runtime. -S skips site and its imports; -B
    // writes no .pyc (/var/task is read-only anyway).
    return {"/usr/bin/python3", "-S", "-B", "/var/runtime/python/bootstrap.py"};
  }
  if (runtime.rfind("nodejs", 0) == 0) {
    return {"/usr/bin/node", "/var/runtime/nodejs/bootstrap.mjs"};
  }
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
  };
  if (spec.runtime.rfind("nodejs", 0) == 0) {
    defaults["NODE_PATH"] = "/opt/nodejs/node_modules:/var/runtime/node_modules:/var/task";
  }
  for (const auto& [k, v] : spec.environment) defaults[k] = v;
  std::map<std::string, std::string> reserved = {
      {"_HANDLER", spec.handler},
      {"AWS_REGION", spec.region},
      {"AWS_DEFAULT_REGION", spec.region},
      {"AWS_EXECUTION_ENV", "AWS_Lambda_" + spec.runtime},
      {"AWS_LAMBDA_FUNCTION_NAME", spec.name},
      {"AWS_LAMBDA_FUNCTION_MEMORY_SIZE", std::to_string(spec.memory_mb)},
      {"AWS_LAMBDA_FUNCTION_VERSION", spec.version},
      {"AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand"},
      {"AWS_LAMBDA_LOG_GROUP_NAME", spec.log_group},
      {"AWS_LAMBDA_LOG_STREAM_NAME", log_stream},
      {"AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001"},
      {"LAMBDA_TASK_ROOT", "/var/task"},
      {"LAMBDA_RUNTIME_DIR", "/var/runtime"},
      {"TZ", ":UTC"},
  };
  std::vector<std::string> out;
  for (const auto& [k, v] : reserved) out.push_back(k + "=" + v);
  for (const auto& [k, v] : defaults) {
    if (!reserved.count(k)) out.push_back(k + "=" + v);
  }
  return out;
}

}  // namespace lamina::scheduler
