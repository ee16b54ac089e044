// The edge: Lamina's single front door. It answers the health check, picks the service a
// request is for (SigV4 credential scope first, then X-Amz-Target, then path and form Action),
// verifies the signature, and runs the service's handler: on the event loop when the service says
// the request never blocks (a warm Invoke), otherwise on a worker pool so the loop never blocks.
// Unsigned or wrongly signed requests are answered with the service's own auth error and never
// reach the service.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "auth/authorizer.h"
#include "auth/credentials.h"
#include "common/clock.h"
#include "http/message.h"
#include "http/service.h"

namespace lamina::server {

struct EdgeOptions {
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
  bool auth_enabled = true;
  int worker_threads = 4;
};

class Edge final : public http::Handler {
 public:
  // `credentials`, `clock` and `authorizer` must outlive the edge. Services check role sessions'
  // requests with `authorizer` (null: no checks).
  Edge(EdgeOptions options, const auth::CredentialProvider* credentials, const Clock* clock,
       const auth::Authorizer* authorizer = nullptr);
  ~Edge() override;

  // Registers a service under its signing name; it must outlive the edge. Not thread-safe: call
  // before serving.
  void AddService(http::Service* service);

  void Handle(http::HttpRequest request, http::Responder respond) override;
  http::HttpResponse BodyTooLarge(const http::HttpRequest& head) override;
  // A sink that authenticates the head before the body is read, then hands the body to the
  // service's own sink (Service::StreamsBody/OpenBody).
  std::shared_ptr<http::BodySink> OpenBodySink(const http::HttpRequest& head) override;

  // Waits for every handler already started to finish. Call after the server stopped.
  void Drain();

 private:
  http::Service* Route(const http::HttpRequest& request) const;
  http::CallContext NewContext(const http::HttpRequest& request) const;
  // Verifies the request and hands it to `service`; `on_loop` when called on the event loop.
  void Serve(http::Service* service, http::CallContext context, http::HttpRequest request,
             http::Responder respond, bool on_loop);
  // Verifies the request's signature and fills in who sent it.
  Status Authenticate(const http::Service& service, const http::HttpRequest& request,
                      bool body_streamed, http::CallContext& context) const;
  // `respond`, adding the request id and logging the request.
  http::Responder Finisher(const http::Service& service, const http::CallContext& context,
                           const http::HttpRequest& request, http::Responder respond) const;
  class StreamSink;

  EdgeOptions options_;
  const auth::CredentialProvider* credentials_;
  const Clock* clock_;
  const auth::Authorizer* authorizer_;
  std::map<std::string, http::Service*, std::less<>> services_;
  class Pool;
  std::unique_ptr<Pool> pool_;
};

}  // namespace lamina::server
