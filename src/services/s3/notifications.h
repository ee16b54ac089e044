// S3 event notifications to Lamina functions: a bucket's NotificationConfiguration (its
// LambdaFunctionConfigurations: Id, function ARN, event types, prefix/suffix filter), validated
// as S3 does when it is put, and the S3 event records (aws-wire.md c.1) of an object event, one
// asynchronous invocation per matching configuration.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace lamina::services::s3 {

// One asynchronous invocation an object event makes.
struct TargetEvent {
  std::string function_arn;
  std::string payload;       // {"Records":[...]}
  std::string trace_header;  // the X-Amzn-Trace-Id of the request that made the event
};

// What S3 needs of Lamina's functions. Implemented where the Lambda service is wired in.
class EventTargets {
 public:
  virtual ~EventTargets() = default;
  // Ok when `function_arn` names a function that exists and whose resource policy lets
  // s3.amazonaws.com invoke it for `bucket_arn` in `account_id`. May block.
  virtual Status CheckTarget(const std::string& function_arn, const std::string& bucket_arn,
                             const std::string& account_id) = 0;
  // Queues the invocations durably; `done` (any thread) once they are stored or failed.
  virtual void Enqueue(std::vector<TargetEvent> events, std::function<void(Status)> done) = 0;
};

struct FunctionNotification {
  std::string id;
  std::string function_arn;
  std::vector<std::string> events;  // "s3:ObjectCreated:*", ...
  std::string prefix;
  std::string suffix;
};

struct NotificationConfig {
  std::vector<FunctionNotification> functions;
  bool event_bridge = false;  // EventBridgeConfiguration: kept and returned, nothing sent
};

// Parses a PutBucketNotificationConfiguration body: MalformedXML, or InvalidArgument for a bad
// event name, filter rule or a queue/topic destination (Lamina has neither service). Ids left
// out are generated.
StatusOr<NotificationConfig> ParseNotificationConfig(std::string_view xml);
// The configuration as GetBucketNotificationConfiguration returns it.
std::string RenderNotificationConfig(const NotificationConfig& config);
// Each destination checked with `targets`: InvalidArgument "Unable to validate the following
// destination configurations" when any fails.
Status ValidateTargets(const NotificationConfig& config, EventTargets& targets,
                       const std::string& bucket, const std::string& account_id);

// An object event as the records describe it.
struct ObjectEvent {
  std::string name;  // without "s3:": "ObjectCreated:Put", "ObjectRemoved:Delete", ...
  std::string bucket;
  std::string key;
  uint64_t size = 0;  // created events only
  std::string etag;   // created events only
  int64_t time_ms = 0;
  std::string region;
  std::string principal_id;  // who made the request
  std::string source_ip;
  std::string request_id;
  std::string owner_id;  // the bucket owner's canonical id
  std::string trace_header;
};

// The invocations `event` makes under `config` (none when nothing matches).
std::vector<TargetEvent> EventsFor(const NotificationConfig& config, const ObjectEvent& event);

// A key as the records carry it: URL-encoded (form style, a space as '+'), '/' kept.
std::string EncodeEventKey(std::string_view key);

}  // namespace lamina::services::s3
