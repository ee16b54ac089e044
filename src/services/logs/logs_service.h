// A CloudWatch-Logs-compatible service over a LogStore: the AWS JSON 1.1 protocol (POST / with
// `X-Amz-Target: Logs_20140328.<Operation>`), the operations in operations.h, and CloudWatch's
// error shapes (logs_errors.h). Enough for `aws logs` (tail and tail --follow included), boto3
// and the SDKs to create, write, read and search logs.
#pragma once

#include <functional>
#include <string_view>
#include <utility>

#include "common/clock.h"
#include "http/service.h"
#include "services/logs/log_store.h"

namespace lamina::services::logs {

class LogsService final : public http::Service {
 public:
  // `store` and `clock` must outlive the service. `catch_up`, when set, runs before every
  // operation and returns once the store holds every line handed to a buffering writer (the
  // invoke path's AsyncLogSink) so far: a caller whose invocation has returned reads its logs.
  LogsService(LogStore* store, const Clock* clock, std::function<void()> catch_up = nullptr)
      : store_(store), clock_(clock), catch_up_(std::move(catch_up)) {}

  std::string_view signing_name() const override { return "logs"; }
  void Handle(const http::CallContext& context, http::HttpRequest request,
              http::Responder respond) override;
  http::HttpResponse RenderError(const http::CallContext& context,
                                 const Status& status) const override;

 private:
  http::HttpResponse Serve(const http::CallContext& context, const http::HttpRequest& request);

  LogStore* store_;
  const Clock* clock_;
  std::function<void()> catch_up_;
};

}  // namespace lamina::services::logs
