// An AWS-compatible service behind the edge (lambda, iam, sts, later s3, kinesis, ...).
//
// The edge authenticates a request, then hands it to the service that owns it. Handle runs on a
// worker thread (it may block on the store or the disk), or on the event loop for the requests a
// service says never block (RunsOnLoop), and must call `respond` exactly once. RenderError is the
// one place where the service turns a Status into its wire shape.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "http/message.h"

namespace lamina::http {

// Who is calling and where the daemon is, as the edge established them.
struct CallContext {
  std::string request_id;     // also sent back as x-amzn-RequestId
  std::string principal_arn;  // e.g. arn:aws:iam::000000000000:root
  std::string access_key_id;
  std::string user_id;
  std::string account_id;  // the daemon's account
  std::string region;      // the daemon's region
  std::string host;        // the Host header, for URLs handed back to the caller
};

class Service {
 public:
  virtual ~Service() = default;
  // The SigV4 signing name, e.g. "lambda".
  virtual std::string_view signing_name() const = 0;
  // Whether Handle answers `request` without blocking: from memory, or by handing the work to
  // the loop's own asynchronous machinery. Then the edge runs it on the event loop and spares
  // the request two thread hand-offs. Must itself be quick and never block.
  virtual bool RunsOnLoop(const CallContext&, const HttpRequest&) const { return false; }
  virtual void Handle(const CallContext& context, HttpRequest request, Responder respond) = 0;
  virtual HttpResponse RenderError(const CallContext& context, const Status& status) const = 0;
};

}  // namespace lamina::http
