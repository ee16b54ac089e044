// An AWS-compatible service behind the edge (lambda, iam, sts, later s3, kinesis, ...).
//
// The edge authenticates a request, then hands it to the service that owns it. Handle runs on a
// worker thread (it may block on the store or the disk), or on the event loop for the requests a
// service says never block (RunsOnLoop), and must call `respond` exactly once. RenderError is the
// one place where the service turns a Status into its wire shape.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "auth/authorizer.h"
#include "auth/sigv4.h"
#include "common/status.h"
#include "http/message.h"

namespace lamina::http {

// Who is calling and where the daemon is, as the edge established them.
struct CallContext {
  std::string request_id;     // also sent back as x-amzn-RequestId
  std::string principal_arn;  // e.g. arn:aws:iam::000000000000:root
  std::string access_key_id;
  std::string user_id;
  std::string account_id;   // the daemon's account
  std::string region;       // the daemon's region
  std::string host;         // the Host header, for URLs handed back to the caller
  int64_t received_ms = 0;  // when the edge took the request, by the daemon's clock
  // Set when the caller signed with temporary credentials of an assumed role.
  std::string role_name;
  std::string role_arn;
  // Set when the request came from inside an execution environment (the relayed AWS endpoint):
  // the ARN of the function that made it.
  std::string source_function_arn;
  // An unsigned request a service accepts (S3: what a bucket policy grants to "*"): no identity,
  // so only a resource policy can allow it anything.
  bool anonymous = false;
  const auth::Authorizer* authorizer = nullptr;  // checks role sessions; null: no checks
  // For an aws-chunked body's chunk signatures (auth/aws_chunked.h).
  auth::ChunkSigning chunk_signing;

  // Whether the caller may perform `action` ("lambda:GetFunction") on `resource` (an ARN, or
  // "*"): the account's own keys may do anything, a role session what its role's policies allow,
  // with the global condition keys (aws:PrincipalArn: the role's ARN, aws:userid,
  // aws:PrincipalAccount, aws:RequestedRegion, aws:CurrentTime, aws:EpochTime,
  // lambda:SourceFunctionArn when set) and `keys` in the evaluation context. kPermissionDenied in
  // AWS's words otherwise.
  // `resource_policy`, when given, is the resource's own policy (a function's, a bucket's): it
  // may allow what the identity policies leave undecided, and its explicit Deny wins, as AWS
  // combines them within one account. An anonymous caller gets what it allows, nothing else.
  using ResourcePolicy = std::function<auth::Decision(const auth::AccessRequest&)>;
  Status Authorize(std::string action, std::string resource,
                   std::map<std::string, std::vector<std::string>> keys = {},
                   const ResourcePolicy& resource_policy = nullptr) const;
  // Whether Authorize would answer without reading the store.
  bool AuthorizeIsQuick() const;
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
  // Whether the body of the request whose head this is should be streamed rather than held in
  // memory (a large upload). Quick: called on the event loop.
  virtual bool StreamsBody(const HttpRequest& /*head*/) const { return false; }
  // The sink for such a body, once the edge has verified the head's signature; may block. The
  // edge then calls its Start, Writes and Finish, and Handle gets the request with this sink as
  // `body_sink`. An error is answered (RenderError) before the body is read.
  virtual StatusOr<std::shared_ptr<BodySink>> OpenBody(const CallContext& /*context*/,
                                                       const HttpRequest& /*head*/) {
    return Internal("this service does not stream request bodies");
  }
  virtual HttpResponse RenderError(const CallContext& context, const Status& status) const = 0;
};

}  // namespace lamina::http
