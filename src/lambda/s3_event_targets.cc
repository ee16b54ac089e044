#include "lambda/s3_event_targets.h"

#include "auth/resource_policy.h"
#include "common/crypto.h"
#include "lambda/async_dispatcher.h"
#include "lambda/function_name.h"
#include "lambda/invocation_target.h"
#include "lambda/lineage.h"

namespace lamina::lambda {

Status S3EventTargets::CheckTarget(const std::string& function_arn, const std::string& bucket_arn,
                                   const std::string& account_id) {
  ASSIGN_OR_RETURN(FunctionRef ref,
                   ParseFunctionName(function_arn, "LambdaFunctionArn", region_, account_id_));
  ASSIGN_OR_RETURN(InvocationTarget target, ResolveTarget(*deps_, region_, account_id_, ref));
  const nlohmann::json* policy = target.function->PolicyOf(ref.qualifier);
  if (!policy) {
    return PermissionDenied("the function's policy does not let S3 invoke it");
  }
  auth::AccessRequest request;
  request.action = "lambda:InvokeFunction";
  request.resource = FunctionArn(region_, account_id_, ref.name, ref.qualifier);
  request.context["aws:SourceArn"] = {bucket_arn};
  request.context["aws:SourceAccount"] = {account_id};
  auth::PolicyCaller caller{"", "", "", "s3.amazonaws.com"};
  if (auth::EvaluateResourcePolicy(*policy, caller, request) != auth::Decision::kAllowed) {
    return PermissionDenied("the function's policy does not let S3 invoke it for " + bucket_arn);
  }
  return Status::Ok();
}

void S3EventTargets::Enqueue(std::vector<services::s3::TargetEvent> events,
                             std::function<void(Status)> done) {
  if (!deps_->async) return done(Status(Code::kUnavailable, "functions cannot run on this host"));
  std::vector<invoke::QueuedEvent> queued;
  int64_t now = deps_->clock->NowMillis();
  for (services::s3::TargetEvent& e : events) {
    auto ref = ParseFunctionName(e.function_arn, "LambdaFunctionArn", region_, account_id_);
    if (!ref.ok()) continue;  // validated when the configuration was put
    invoke::QueuedEvent& q = queued.emplace_back();
    q.function = ref->name;
    q.qualifier = ref->qualifier;
    q.request_id = RandomUuid();
    q.payload = std::move(e.payload);
    q.received_ms = now;
    q.next_attempt_ms = now;
    // A function that wrote the object sent its chain's lineage along: the recursion guard counts
    // a loop through S3 too.
    q.trace_header =
        NextLineage(e.trace_header, FunctionArn(region_, account_id_, ref->name), now).header;
  }
  if (queued.empty()) return done(Status::Ok());
  deps_->async->Accept(std::move(queued), std::move(done));
}

}  // namespace lamina::lambda
