// The object events of S3 calls and the notifications they make.
#include "services/s3/operations.h"
#include "services/s3/s3_errors.h"

namespace lamina::services::s3 {

ObjectEvent MakeEvent(const S3Call& call, std::string name, std::string key, uint64_t size,
                      std::string etag) {
  ObjectEvent e;
  e.name = std::move(name);
  e.bucket = call.s3.bucket;
  e.key = std::move(key);
  e.size = size;
  e.etag = std::move(etag);
  e.time_ms = call.now_ms();
  e.region = call.context.region;
  e.principal_id =
      call.context.role_name.empty() ? call.context.user_id : "AWS:" + call.context.user_id;
  e.source_ip = call.request.remote_address;
  e.request_id = call.context.request_id;
  e.owner_id = OwnerId(call.context.account_id);
  if (const std::string* trace = call.Header("x-amzn-trace-id")) e.trace_header = *trace;
  return e;
}

void NotifyThenReply(const CallPtr& call, std::vector<ObjectEvent> events,
                     http::HttpResponse response) {
  if (events.empty() || !call->deps.targets) return call->Reply(std::move(response));
  auto document = call->store().GetConfig(call->s3.bucket, "notification");
  if (!document.ok()) return call->Fail(document.status());
  if (!*document) return call->Reply(std::move(response));
  auto config = ParseNotificationConfig(**document);
  if (!config.ok()) return call->Fail(config.status());
  std::vector<TargetEvent> targets;
  for (const ObjectEvent& e : events) {
    for (TargetEvent& t : EventsFor(*config, e)) targets.push_back(std::move(t));
  }
  if (targets.empty()) return call->Reply(std::move(response));
  call->deps.targets->Enqueue(std::move(targets), [call, response = std::move(response)](
                                                      Status s) mutable {
    if (!s.ok())
      return call->Fail(Internal("cannot queue the notification: " + s.message(), "InternalError"));
    call->Reply(std::move(response));
  });
}

}  // namespace lamina::services::s3
