// S3's view of Lamina's functions (services/s3/notifications.h): whether a notification may name
// a function (it exists, and its resource policy lets s3.amazonaws.com invoke it for the bucket),
// and the asynchronous invocations an object event makes, queued durably like Event invokes.
#pragma once

#include "lambda/lambda_deps.h"
#include "services/s3/notifications.h"

namespace lamina::lambda {

class S3EventTargets final : public services::s3::EventTargets {
 public:
  // `deps` must outlive this; its `async` is read at each use (null: functions cannot run here).
  S3EventTargets(LambdaDeps* deps, std::string region, std::string account_id)
      : deps_(deps), region_(std::move(region)), account_id_(std::move(account_id)) {}

  Status CheckTarget(const std::string& function_arn, const std::string& bucket_arn,
                     const std::string& account_id) override;
  void Enqueue(std::vector<services::s3::TargetEvent> events,
               std::function<void(Status)> done) override;

 private:
  LambdaDeps* deps_;
  std::string region_;
  std::string account_id_;
};

}  // namespace lamina::lambda
