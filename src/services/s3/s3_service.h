// An S3-compatible object store on Lamina's port: S3's REST-XML protocol with path-style and
// virtual-host-style addressing, the operations in operations.h, S3's error documents
// (s3_errors.h), and event notifications to functions (notifications.h). Large uploads are
// streamed to disk (StreamsBody/OpenBody), large objects streamed back from it.
#pragma once

#include <memory>
#include <string_view>

#include "common/clock.h"
#include "http/service.h"
#include "services/s3/notifications.h"
#include "services/s3/object_store.h"

namespace lamina::services::s3 {

class S3Service final : public http::Service {
 public:
  // `store` and `clock` must outlive the service; `targets` too, when given (else bucket
  // notifications to functions are refused).
  S3Service(ObjectStore* store, const Clock* clock, EventTargets* targets = nullptr);

  std::string_view signing_name() const override { return "s3"; }
  // A small PutObject signed with the account's keys: its work until the commit is hashing and
  // encoding, and the commit answers it from the writer thread.
  bool RunsOnLoop(const http::CallContext& context,
                  const http::HttpRequest& request) const override;
  void Handle(const http::CallContext& context, http::HttpRequest request,
              http::Responder respond) override;
  http::HttpResponse RenderError(const http::CallContext& context,
                                 const Status& status) const override;
  bool StreamsBody(const http::HttpRequest& head) const override;
  StatusOr<std::shared_ptr<http::BodySink>> OpenBody(const http::CallContext& context,
                                                     const http::HttpRequest& head) override;

 private:
  ObjectStore* store_;
  const Clock* clock_;
  EventTargets* targets_;
};

}  // namespace lamina::services::s3
