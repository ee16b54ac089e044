// How each runtime starts inside an environment: the bootstrap's argv and the variables AWS sets.
#pragma once

#include <string>
#include <vector>

#include "scheduler/function_spec.h"

namespace lamina::scheduler {

// argv of the function's runtime bootstrap, as seen inside the sandbox.
std::vector<std::string> BootstrapCommand(const FunctionSpec& spec);

// The environment of the runtime: AWS's reserved and default variables, then the function's
// own (which may override the defaults, never the reserved ones).
std::vector<std::string> RuntimeEnvironment(const FunctionSpec& spec,
                                            const std::string& log_stream);

}  // namespace lamina::scheduler
