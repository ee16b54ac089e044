// STS: GetCallerIdentity, answered from the identity the edge authenticated, and AssumeRole,
// which hands out temporary credentials for a role whose trust policy lets the caller assume it.
#pragma once

#include <string_view>

#include "auth/session_credentials.h"
#include "common/clock.h"
#include "http/service.h"
#include "store/store.h"

namespace lamina::services::iam {

class StsService final : public http::Service {
 public:
  // All must outlive the service.
  StsService(store::Store* store, const Clock* clock, const auth::SessionCredentials* sessions)
      : store_(store), clock_(clock), sessions_(sessions) {}

  std::string_view signing_name() const override { return "sts"; }
  void Handle(const http::CallContext& context, http::HttpRequest request,
              http::Responder respond) override;
  http::HttpResponse RenderError(const http::CallContext& context,
                                 const Status& status) const override;

 private:
  store::Store* store_;
  const Clock* clock_;
  const auth::SessionCredentials* sessions_;
};

}  // namespace lamina::services::iam
