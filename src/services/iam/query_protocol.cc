#include "services/iam/query_protocol.h"

#include <utility>

#include "common/uri.h"
#include "common/xml_writer.h"

namespace lamina::services::iam {
namespace {

bool IsFormBody(const http::HttpRequest& request) {
  if (request.method != "POST") return false;
  const std::string* type = request.Header("content-type");
  // The SDKs always label the body; a bare POST (curl -d, urllib) is treated as a form too.
  return type == nullptr || type->starts_with("application/x-www-form-urlencoded");
}

Status AddParams(std::string_view encoded, std::map<std::string, std::string, std::less<>>& out) {
  QueryParams params;
  if (!ParseQuery(encoded, params, /*plus_is_space=*/true)) {
    return InvalidArgument("The request contains a malformed percent-encoding.",
                           "MalformedQueryString");
  }
  for (auto& [key, value] : params) {
    if (!IsValidUtf8(key) || !IsValidUtf8(value)) {
      return InvalidArgument("The request contains a parameter that is not valid UTF-8.",
                             "MalformedQueryString");
    }
    out[std::move(key)] = std::move(value);
  }
  return Status::Ok();
}

// The edge verifies signatures with JSON-protocol names; query-protocol APIs spell them
// differently (and SignatureDoesNotMatch is not InvalidSignature).
struct AuthRename {
  std::string_view from;
  std::string_view to;
  int http_status;
};
constexpr AuthRename kAuthRenames[] = {
    {"MissingAuthenticationTokenException", "MissingAuthenticationToken", 403},
    {"IncompleteSignatureException", "IncompleteSignature", 403},
    {"InvalidSignatureException", "SignatureDoesNotMatch", 403},
    {"UnrecognizedClientException", "InvalidClientTokenId", 403},
    {"ExpiredTokenException", "ExpiredToken", 403},
};

int HttpStatusOf(Code code) {
  switch (code) {
    case Code::kOk:
      return 200;
    case Code::kInvalidArgument:
      return 400;
    case Code::kNotFound:
      return 404;
    case Code::kAlreadyExists:
      return 409;
    case Code::kFailedPrecondition:
      return 409;
    case Code::kConflict:
      return 409;
    case Code::kUnauthenticated:
      return 403;
    case Code::kPermissionDenied:
      return 403;
    case Code::kTooLarge:
      return 413;
    case Code::kResourceExhausted:
      return 400;  // query-protocol Throttling is a 400
    case Code::kUnavailable:
      return 503;
    case Code::kInternal:
      return 500;
  }
  return 500;
}

std::string_view NameOf(Code code) {
  switch (code) {
    case Code::kOk:
      return "OK";
    case Code::kInvalidArgument:
      return "ValidationError";
    case Code::kNotFound:
      return "NoSuchEntity";
    case Code::kAlreadyExists:
      return "EntityAlreadyExists";
    case Code::kFailedPrecondition:
      return "ConcurrentModification";
    case Code::kConflict:
      return "ConcurrentModification";
    case Code::kUnauthenticated:
      return "InvalidClientTokenId";
    case Code::kPermissionDenied:
      return "AccessDenied";
    case Code::kTooLarge:
      return "RequestEntityTooLarge";
    case Code::kResourceExhausted:
      return "Throttling";
    case Code::kUnavailable:
      return "ServiceUnavailable";
    case Code::kInternal:
      return "ServiceFailure";
  }
  return "ServiceFailure";
}

http::HttpResponse XmlResponse(int status, std::string body) {
  http::HttpResponse response;
  response.status = status;
  response.SetHeader("Content-Type", "text/xml");
  response.body = std::move(body);
  return response;
}

}  // namespace

StatusOr<QueryArgs> QueryArgs::Parse(const http::HttpRequest& request) {
  QueryArgs args;
  RETURN_IF_ERROR(AddParams(request.query, args.params_));
  if (IsFormBody(request)) RETURN_IF_ERROR(AddParams(request.body, args.params_));
  return args;
}

const std::string* QueryArgs::Find(std::string_view name) const {
  auto it = params_.find(name);
  return it == params_.end() ? nullptr : &it->second;
}

StatusOr<std::string> RequestedAction(const QueryArgs& args, const QueryApi& api) {
  const std::string* action = args.Find("Action");
  if (action == nullptr || action->empty()) {
    return InvalidArgument("Missing Action", "MissingAction");
  }
  const std::string* version = args.Find("Version");
  if (version != nullptr && *version != api.version) {
    return InvalidArgument("Could not find operation " + *action + " for version " + *version,
                           "InvalidAction");
  }
  return *action;
}

Status UnknownAction(const QueryApi& api, std::string_view action) {
  return InvalidArgument("Could not find operation " + std::string(action) + " for version " +
                             std::string(api.version),
                         "InvalidAction");
}

http::HttpResponse RenderQueryResult(const QueryApi& api, std::string_view action,
                                     const std::string* result_xml, std::string_view request_id) {
  std::string response_tag = std::string(action) + "Response";
  XmlWriter xml;
  xml.Open(response_tag, api.xmlns);
  if (result_xml != nullptr) {
    xml.Open(std::string(action) + "Result");
    xml.Raw(*result_xml);
    xml.Close();
  }
  xml.Open("ResponseMetadata");
  xml.Element("RequestId", request_id);
  return XmlResponse(200, xml.Finish());
}

WireError ToWireError(const Status& status) {
  for (const AuthRename& rename : kAuthRenames) {
    if (status.aws_type() == rename.from) return {std::string(rename.to), rename.http_status};
  }
  int http_status = HttpStatusOf(status.code());
  if (!status.aws_type().empty()) return {status.aws_type(), http_status};
  return {std::string(NameOf(status.code())), http_status};
}

http::HttpResponse RenderQueryError(const QueryApi& api, const Status& status,
                                    std::string_view request_id) {
  WireError wire = ToWireError(status);
  XmlWriter xml;
  xml.Open("ErrorResponse", api.xmlns);
  xml.Open("Error");
  xml.Element("Type", wire.http_status >= 500 ? "Receiver" : "Sender");
  xml.Element("Code", wire.code);
  xml.Element("Message", status.message());
  xml.Close();
  xml.Element("RequestId", request_id);
  return XmlResponse(wire.http_status, xml.Finish());
}

}  // namespace lamina::services::iam
