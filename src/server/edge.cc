#include "server/edge.h"

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

#include "auth/sigv4.h"
#include "common/crypto.h"
#include "common/log.h"
#include "common/uri.h"

namespace lamina::server {

class Edge::Pool {
 public:
  explicit Pool(int threads) : pool_(static_cast<size_t>(threads)) {}
  template <typename F>
  void Post(F&& f) {
    boost::asio::post(pool_, std::forward<F>(f));
  }
  void Join() { pool_.join(); }

 private:
  boost::asio::thread_pool pool_;
};

namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// Lambda's REST paths all start with an API date: /2015-03-31/, /2018-10-31/, ...
bool IsDatedPath(std::string_view path) {
  if (path.size() < 12 || path[0] != '/' || path[5] != '-' || path[8] != '-' || path[11] != '/') {
    return false;
  }
  for (size_t i : {1, 2, 3, 4, 6, 7, 9, 10}) {
    if (path[i] < '0' || path[i] > '9') return false;
  }
  return true;
}

std::string FormAction(const http::HttpRequest& request) {
  QueryParams params;
  std::string_view source = request.method == "POST" ? request.body : request.query;
  if (!ParseQuery(std::string(source), params, /*plus_is_space=*/true)) return {};
  for (const auto& [k, v] : params) {
    if (k == "Action") return v;
  }
  return {};
}

http::HttpResponse Health() {
  http::HttpResponse r;
  r.SetHeader("Content-Type", "application/json");
  r.body = nlohmann::json{{"status", "running"}, {"version", LAMINA_VERSION}}.dump();
  return r;
}

}  // namespace

Edge::Edge(EdgeOptions options, const auth::CredentialProvider* credentials, const Clock* clock,
           const auth::Authorizer* authorizer)
    : options_(std::move(options)),
      credentials_(credentials),
      clock_(clock),
      authorizer_(authorizer),
      pool_(std::make_unique<Pool>(options_.worker_threads)) {}

Edge::~Edge() { pool_->Join(); }

void Edge::AddService(http::Service* service) {
  services_.emplace(std::string(service->signing_name()), service);
}

http::Service* Edge::Route(const http::HttpRequest& request) const {
  auto find = [this](std::string_view name) -> http::Service* {
    auto it = services_.find(name);
    return it == services_.end() ? nullptr : it->second;
  };
  if (auto scope = auth::PeekScope(request)) return find(scope->service);
  if (const std::string* target = request.Header("x-amz-target")) {
    if (StartsWith(*target, "Kinesis_")) return find("kinesis");
    if (StartsWith(*target, "DynamoDB_")) return find("dynamodb");
    if (StartsWith(*target, "Logs_")) return find("logs");
  }
  if (IsDatedPath(request.path) || StartsWith(request.path, "/_lamina/code/")) {
    return find("lambda");
  }
  std::string action = FormAction(request);
  if (!action.empty()) {
    return find(action == "GetCallerIdentity" || action == "AssumeRole" ? "sts" : "iam");
  }
  // What no other service claims is S3's (unsigned requests for public objects included), as on
  // AWS's own S3 endpoints.
  return find("s3");
}

// Authenticates the head of a streamed request on the server's blocking pool (Start), then
// passes the body through to the service's sink, hashing it when the request declared its
// SHA-256. Keeps what Handle needs: the call context and the first error.
class Edge::StreamSink final : public http::BodySink {
 public:
  StreamSink(const Edge* edge, http::Service* service, http::HttpRequest head)
      : edge_(edge), service_(service), head_(std::move(head)) {}

  Status Start() override {
    context_ = edge_->NewContext(head_);
    status_ = edge_->Authenticate(*service_, head_, /*body_streamed=*/true, context_);
    if (status_.ok()) {
      if (const std::string* declared = head_.Header("x-amz-content-sha256");
          declared && declared->size() == 64) {
        declared_sha256_ = *declared;
        sha256_.emplace(Digest::Sha256());
      }
      auto inner = service_->OpenBody(context_, head_);
      if (inner.ok()) {
        inner_ = std::move(*inner);
        status_ = inner_->Start();
      } else {
        status_ = inner.status();
      }
    }
    return status_;
  }

  Status Write(std::string_view bytes) override {
    if (sha256_) sha256_->Update(bytes);
    status_ = inner_->Write(bytes);
    return status_;
  }

  Status Finish() override {
    finished_ = true;
    if (sha256_ && HexEncode(sha256_->Final()) != declared_sha256_) {
      status_ = auth::PayloadMismatch();
    } else {
      status_ = inner_->Finish();
    }
    return status_;
  }

  http::Service* service() const { return service_; }
  const http::CallContext& context() const { return context_; }
  // The first error; IncompleteBody when the body ended before it was whole (the peer went
  // away, or was too slow).
  Status status() const { return finished_or_failed() ? status_ : Truncated(); }
  std::shared_ptr<http::BodySink> inner() const { return inner_; }

 private:
  bool finished_or_failed() const { return finished_ || !status_.ok(); }
  static Status Truncated() {
    return InvalidArgument(
        "You did not provide the number of bytes specified by the Content-Length HTTP header.",
        "IncompleteBody");
  }

  const Edge* edge_;
  http::Service* service_;
  http::HttpRequest head_;
  http::CallContext context_;
  Status status_;
  std::shared_ptr<http::BodySink> inner_;
  std::optional<Digest> sha256_;
  std::string declared_sha256_;
  bool finished_ = false;
};

std::shared_ptr<http::BodySink> Edge::OpenBodySink(const http::HttpRequest& head) {
  http::Service* service = Route(head);
  if (!service || !service->StreamsBody(head)) return nullptr;
  return std::make_shared<StreamSink>(this, service, head);
}

void Edge::Handle(http::HttpRequest request, http::Responder respond) {
  if (request.body_sink) {  // streamed: authenticated already, by the StreamSink
    auto sink = std::static_pointer_cast<StreamSink>(std::move(request.body_sink));
    http::Service* service = sink->service();
    http::Responder finish = Finisher(*service, sink->context(), request, std::move(respond));
    Status status = sink->status();
    if (!status.ok()) return finish(service->RenderError(sink->context(), status));
    request.body_sink = sink->inner();
    pool_->Post([service, sink = std::move(sink), request = std::move(request),
                 finish = std::move(finish)]() mutable {
      service->Handle(sink->context(), std::move(request), std::move(finish));
    });
    return;
  }
  if (request.path == "/_lamina/health" && (request.method == "GET" || request.method == "HEAD")) {
    respond(Health());
    return;
  }
  http::Service* service = Route(request);
  if (!service) {
    http::HttpResponse r;
    r.status = 404;
    r.SetHeader("Content-Type", "application/json");
    r.SetHeader("x-amzn-ErrorType", "UnknownOperationException");
    r.body = nlohmann::json{{"message",
                             "No Lamina service serves " + request.method + " " + request.path}}
                 .dump();
    respond(std::move(r));
    return;
  }
  http::CallContext context = NewContext(request);
  if (service->RunsOnLoop(context, request)) {
    Serve(service, std::move(context), std::move(request), std::move(respond), true);
    return;
  }
  // Services touch the store and the disk, and large bodies take long to hash: off the loop.
  pool_->Post([this, service, context = std::move(context), request = std::move(request),
               respond = std::move(respond)]() mutable {
    Serve(service, std::move(context), std::move(request), std::move(respond), false);
  });
}

http::CallContext Edge::NewContext(const http::HttpRequest& request) const {
  http::CallContext context;
  context.request_id = RandomUuid();
  context.account_id = options_.account_id;
  context.region = options_.region;
  context.received_ms = clock_->NowMillis();
  context.source_function_arn = request.relayed_from;
  context.authorizer = authorizer_;
  if (const std::string* host = request.Header("host")) context.host = *host;
  return context;
}

http::Responder Edge::Finisher(const http::Service& service, const http::CallContext& context,
                               const http::HttpRequest& request, http::Responder respond) const {
  return [request_id = context.request_id, method = request.method, path = request.path,
          started = std::chrono::steady_clock::now(), respond = std::move(respond),
          name = std::string(service.signing_name())](http::HttpResponse response) {
    response.SetHeader("x-amzn-RequestId", request_id);
    log::Level level = response.status >= 500 ? log::Level::kWarn : log::Level::kDebug;
    if (!log::Enabled(level)) return respond(std::move(response));
    auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::steady_clock::now() - started)
                      .count();
    log::Write(level, "request",
               {{"service", name},
                {"method", method},
                {"path", path},
                {"status", std::to_string(response.status)},
                {"us", std::to_string(micros)},
                {"request_id", request_id}});
    respond(std::move(response));
  };
}

Status Edge::Authenticate(const http::Service& service, const http::HttpRequest& request,
                          bool body_streamed, http::CallContext& context) const {
  auth::VerifyOptions verify;
  verify.check_signature = options_.auth_enabled;
  verify.body_streamed = body_streamed;
  // IAM is a global service signed for us-east-1 whatever the daemon's region.
  verify.region = service.signing_name() == "iam" ? "" : options_.region;
  auto principal = auth::Verify(request, *credentials_, *clock_, verify);
  if (!principal.ok()) {
    // S3 serves unsigned requests too: what a bucket policy grants everyone (a public object's
    // URL); with --auth=off they act as the account.
    bool unsigned_request = principal.status().aws_type() == "MissingAuthenticationTokenException";
    if (!unsigned_request || service.signing_name() != "s3") return principal.status();
    principal = auth::Principal{};
    if (options_.auth_enabled) {
      context.anonymous = true;
      principal->arn = "anonymous";
      principal->user_id = "anonymous";
    } else {
      principal->arn = "arn:aws:iam::" + options_.account_id + ":root";
    }
  }
  context.principal_arn = principal->arn;
  context.access_key_id = principal->access_key_id;
  context.user_id = principal->user_id.empty() ? options_.account_id : principal->user_id;
  context.role_name = principal->role_name;
  context.role_arn = principal->role_arn;
  context.chunk_signing = std::move(principal->chunk_signing);
  return Status::Ok();
}

void Edge::Serve(http::Service* service, http::CallContext context, http::HttpRequest request,
                 http::Responder respond, bool on_loop) {
  http::Responder finish = Finisher(*service, context, request, std::move(respond));
  if (Status s = Authenticate(*service, request, /*body_streamed=*/false, context); !s.ok()) {
    finish(service->RenderError(context, s));
    return;
  }
  if (on_loop && !context.AuthorizeIsQuick()) {
    // The caller's role policies are not in memory yet, and reading them would block the loop.
    pool_->Post([service, context = std::move(context), request = std::move(request),
                 finish = std::move(finish)]() mutable {
      service->Handle(context, std::move(request), std::move(finish));
    });
    return;
  }
  service->Handle(context, std::move(request), std::move(finish));
}

http::HttpResponse Edge::BodyTooLarge(const http::HttpRequest& head) {
  http::CallContext context = NewContext(head);
  http::Service* service = Route(head);
  if (!service) service = services_.count("lambda") ? services_.at("lambda") : nullptr;
  std::string message = "Request must be smaller than 70167211 bytes";
  if (service && service->signing_name() == "lambda")
    message += " for the CreateFunction operation";
  Status status = TooLarge(message, "RequestEntityTooLargeException");
  http::HttpResponse r;
  if (service) {
    r = service->RenderError(context, status);
  } else {
    r.status = 413;
  }
  r.SetHeader("x-amzn-RequestId", context.request_id);
  return r;
}

void Edge::Drain() { pool_->Join(); }

}  // namespace lamina::server
