// A minimal IAM, enough for execution roles: roles, inline role policies and attached managed
// policy ARNs, persisted in the Store. AWS query protocol in (form-encoded Action=...), XML out.
#pragma once

#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "http/service.h"
#include "services/iam/role_authorizer.h"
#include "store/store.h"

namespace lamina::services::iam {

class IamService final : public http::Service {
 public:
  // `store` and `clock` must outlive the service.
  IamService(store::Store* store, const Clock* clock);

  std::string_view signing_name() const override { return "iam"; }
  void Handle(const http::CallContext& context, http::HttpRequest request,
              http::Responder respond) override;
  http::HttpResponse RenderError(const http::CallContext& context,
                                 const Status& status) const override;

  // True when `role_arn` names an existing role of `account_id` whose trust policy allows
  // lambda.amazonaws.com to sts:AssumeRole. Thread-safe.
  StatusOr<bool> CanLambdaAssume(const std::string& role_arn, const std::string& account_id) const;

  // Decides what role sessions may do, from the roles' policies as this service keeps them.
  const auth::Authorizer* authorizer() const { return &authorizer_; }
  // Moves on with every change to roles or their policies.
  uint64_t generation() const { return authorizer_.Generation(); }

 private:
  store::Store* store_;
  const Clock* clock_;
  RoleAuthorizer authorizer_;
};

}  // namespace lamina::services::iam
