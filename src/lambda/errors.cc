#include "lambda/errors.h"

#include <nlohmann/json.hpp>
#include <string_view>

namespace lamina::lambda {
namespace {

struct WireError {
  std::string_view type;
  int status;
  bool capital_message;  // the model's member is `Message` rather than `message`
  bool has_type;         // the body carries "Type": "User"/"Service"
};

constexpr WireError kErrors[] = {
    {"InvalidParameterValueException", 400, false, true},
    {"InvalidRequestContentException", 400, false, true},
    {"ValidationException", 400, false, false},
    {"CodeStorageExceededException", 400, false, true},
    {"ResourceNotFoundException", 404, true, true},
    {"ResourceConflictException", 409, false, true},
    {"PreconditionFailedException", 412, false, true},
    {"RequestTooLargeException", 413, false, true},
    {"RequestEntityTooLargeException", 413, false, true},
    {"UnsupportedMediaTypeException", 415, false, true},
    {"TooManyRequestsException", 429, false, true},
    {"ProvisionedConcurrencyConfigNotFoundException", 404, false, true},
    {"PolicyLengthExceededException", 400, false, true},
    {"RecursiveInvocationException", 400, true, true},
    {"ServiceException", 500, true, true},
    {"MissingAuthenticationTokenException", 403, false, false},
    {"IncompleteSignatureException", 403, false, false},
    {"InvalidSignatureException", 403, false, false},
    {"UnrecognizedClientException", 403, false, false},
    {"ExpiredTokenException", 403, false, false},
    {"AccessDeniedException", 403, false, false},
    {"XAmzContentSHA256Mismatch", 400, false, false},
    {"UnknownOperationException", 404, false, false},
};

std::string_view DefaultType(Code code) {
  switch (code) {
    case Code::kInvalidArgument:
      return "InvalidParameterValueException";
    case Code::kNotFound:
      return "ResourceNotFoundException";
    case Code::kAlreadyExists:
    case Code::kConflict:
      return "ResourceConflictException";
    case Code::kFailedPrecondition:
      return "PreconditionFailedException";
    case Code::kUnauthenticated:
      return "UnrecognizedClientException";
    case Code::kPermissionDenied:
      return "AccessDeniedException";
    case Code::kTooLarge:
      return "RequestTooLargeException";
    case Code::kResourceExhausted:
      return "TooManyRequestsException";
    default:
      return "ServiceException";
  }
}

}  // namespace

Status InvalidParameterValue(std::string m) {
  return InvalidArgument(std::move(m), "InvalidParameterValueException");
}
Status ValidationError(std::string m) {
  return InvalidArgument(std::move(m), "ValidationException");
}
Status InvalidRequestContent(std::string m) {
  return InvalidArgument(std::move(m), "InvalidRequestContentException");
}
Status ResourceNotFound(std::string m) {
  return NotFound(std::move(m), "ResourceNotFoundException");
}
Status ResourceConflict(std::string m) {
  return Conflict(std::move(m), "ResourceConflictException");
}
Status PreconditionFailedRevision() {
  return FailedPrecondition(
      "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/"
      "GetAlias API to retrieve the latest Revision Id",
      "PreconditionFailedException");
}
Status FunctionNotFound(const std::string& function_arn) {
  return ResourceNotFound("Function not found: " + function_arn);
}

http::HttpResponse JsonResponse(int status, const std::string& body) {
  http::HttpResponse r;
  r.status = status;
  r.SetHeader("Content-Type", "application/json");
  r.body = body;
  return r;
}

http::HttpResponse RenderError(const Status& status) {
  std::string_view type =
      status.aws_type().empty() ? DefaultType(status.code()) : status.aws_type();
  WireError wire{type, 500, false, true};
  bool known = false;
  for (const WireError& e : kErrors) {
    if (e.type == type) {
      wire = e;
      known = true;
    }
  }
  if (!known) wire.status = status.code() == Code::kInternal ? 500 : 400;
  nlohmann::json body;
  if (wire.has_type) body["Type"] = wire.status >= 500 ? "Service" : "User";
  body[wire.capital_message ? "Message" : "message"] = status.message();
  http::HttpResponse r = JsonResponse(
      wire.status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  r.SetHeader("x-amzn-ErrorType", std::string(type));
  return r;
}

http::HttpResponse Throttled(std::string_view reason, std::string_view message) {
  http::HttpResponse r = RenderError(
      Status(Code::kResourceExhausted, std::string(message), "TooManyRequestsException"));
  nlohmann::json body = {{"Reason", reason}, {"Type", "User"}, {"message", message}};
  r.body = body.dump();
  r.SetHeader("Retry-After", "1");
  return r;
}

}  // namespace lamina::lambda
