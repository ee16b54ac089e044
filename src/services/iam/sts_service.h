// STS: GetCallerIdentity, answered from the identity the edge authenticated.
#pragma once

#include <string_view>

#include "http/service.h"

namespace lamina::services::iam {

class StsService final : public http::Service {
 public:
  std::string_view signing_name() const override { return "sts"; }
  void Handle(const http::CallContext& context, http::HttpRequest request,
              http::Responder respond) override;
  http::HttpResponse RenderError(const http::CallContext& context,
                                 const Status& status) const override;
};

}  // namespace lamina::services::iam
