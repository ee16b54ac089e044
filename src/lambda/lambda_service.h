// The Lambda control plane (rest-json, API versions 2015-03-31 and friends) as an http::Service.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "auth/credentials.h"
#include "common/clock.h"
#include "http/service.h"
#include "invoke/concurrency_limits.h"
#include "invoke/event_queue.h"
#include "invoke/invoker.h"
#include "lambda/async_dispatcher.h"
#include "sandbox/code_cache.h"
#include "services/iam/iam_service.h"
#include "services/s3/notifications.h"
#include "store/blob_store.h"
#include "store/store.h"

namespace lamina::lambda {

struct LambdaDeps;

class LambdaService final : public http::Service {
 public:
  // Every pointer must outlive the service. `code_signer` presigns code download URLs.
  // `invoker` and `code` may be null: then functions are stored but cannot run. `concurrency`
  // gets the stored functions' reservations at construction.
  LambdaService(store::Store* store, store::BlobStore* blobs, const Clock* clock,
                const auth::Credential* code_signer, services::iam::IamService* iam,
                invoke::Invoker* invoker, sandbox::CodeCache* code,
                invoke::ConcurrencyLimits* concurrency);
  ~LambdaService() override;

  // Runs Event invokes from `queue` on `io` (which must outlive the service), starting with the
  // events queued before a restart. Without it Event invokes are refused. Call once, before the
  // daemon serves.
  Status StartAsync(invoke::EventQueue* queue, boost::asio::io_context& io, AsyncOptions options);
  // Stops starting asynchronous invocations (shutdown); queued events stay queued.
  void StopAsync();
  // What S3 notifications invoke functions through (lambda/s3_event_targets.h). The service must
  // outlive it.
  std::unique_ptr<services::s3::EventTargets> NewS3EventTargets(std::string region,
                                                                std::string account_id);

  std::string_view signing_name() const override { return "lambda"; }
  // Invokes with a small payload of a function in memory: Event invokes (queued), and the others
  // when the function's code is unpacked.
  bool RunsOnLoop(const http::CallContext& context,
                  const http::HttpRequest& request) const override;
  void Handle(const http::CallContext& context, http::HttpRequest request,
              http::Responder respond) override;
  http::HttpResponse RenderError(const http::CallContext& context,
                                 const Status& status) const override;

 private:
  std::unique_ptr<LambdaDeps> deps_;
  std::unique_ptr<AsyncDispatcher> async_;
};

}  // namespace lamina::lambda
