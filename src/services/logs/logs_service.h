// A CloudWatch-Logs-compatible service over a LogStore: the AWS JSON 1.1 protocol (POST / with
// `X-Amz-Target: Logs_20140328.<Operation>`), the operations in operations.h, and CloudWatch's
// error shapes (logs_errors.h). Enough for `aws logs` (tail and tail --follow included), boto3
// and the SDKs to create, write, read and search logs.
#pragma once

#include <string_view>

#include "common/clock.h"
#include "http/service.h"
#include "services/logs/log_store.h"

namespace lamina::services::logs {

class LogsService final : public http::Service {
 public:
  // `store` and `clock` must outlive the service.
  LogsService(LogStore* store, const Clock* clock) : store_(store), clock_(clock) {}

  std::string_view signing_name() const override { return "logs"; }
  void Handle(const http::CallContext& context, http::HttpRequest request,
              http::Responder respond) override;
  http::HttpResponse RenderError(const http::CallContext& context,
                                 const Status& status) const override;

 private:
  http::HttpResponse Serve(const http::CallContext& context, const http::HttpRequest& request);

  LogStore* store_;
  const Clock* clock_;
};

}  // namespace lamina::services::logs
