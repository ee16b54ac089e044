#include "lambda/invocation_target.h"

#include <random>

#include "lambda/errors.h"

namespace lamina::lambda {

namespace {

// Where a weighted alias sends an invocation: a uniform number in [0, 1) per invocation.
double RouteDraw() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

}  // namespace

StatusOr<InvocationTarget> ResolveTarget(LambdaDeps& deps, const std::string& region,
                                         const std::string& account, const FunctionRef& ref) {
  InvocationTarget target;
  target.qualifier = ref.qualifier.empty() ? "$LATEST" : ref.qualifier;
  target.invoked_arn = FunctionArn(region, account, ref.name, ref.qualifier);
  ASSIGN_OR_RETURN(target.function, deps.functions.Get(ref.name));
  if (!target.function) return FunctionNotFound(FunctionArn(region, account, ref.name));
  std::optional<std::string> version =
      ResolveQualifier(*target.function, target.qualifier, RouteDraw());
  if (!version) return FunctionNotFound(target.invoked_arn);
  target.executed_version = *version;
  if (*version == "$LATEST") {
    target.version = target.function;
  } else {
    std::optional<FunctionRecord> snapshot = VersionOf(*target.function, *version);
    if (!snapshot) return FunctionNotFound(target.invoked_arn);
    target.version = std::make_shared<const FunctionRecord>(std::move(*snapshot));
  }
  return target;
}

const nlohmann::json* EventInvokeConfigOf(const FunctionRecord& function,
                                          const std::string& qualifier) {
  auto found = function.event_invoke.find(qualifier.empty() ? "$LATEST" : qualifier);
  if (found == function.event_invoke.end() || !found->is_object()) return nullptr;
  return &*found;
}

}  // namespace lamina::lambda
