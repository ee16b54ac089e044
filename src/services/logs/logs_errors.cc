#include "services/logs/logs_errors.h"

#include <string_view>
#include <utility>

namespace lamina::services::logs {
namespace {

constexpr const char* kContentType = "application/x-amz-json-1.1";

struct WireError {
  std::string_view type;
  int status;
};

// Types whose status is not the default for their code.
constexpr WireError kStatusOverrides[] = {
    {"ServiceUnavailableException", 503},
    {"RequestEntityTooLargeException", 413},
};

std::string_view DefaultType(Code code) {
  switch (code) {
    case Code::kInvalidArgument:
    case Code::kFailedPrecondition:
      return "InvalidParameterException";
    case Code::kNotFound:
      return "ResourceNotFoundException";
    case Code::kAlreadyExists:
      return "ResourceAlreadyExistsException";
    case Code::kConflict:
      return "OperationAbortedException";
    case Code::kUnauthenticated:
      return "UnrecognizedClientException";
    case Code::kPermissionDenied:
      return "AccessDeniedException";
    case Code::kTooLarge:
      return "RequestEntityTooLargeException";
    case Code::kResourceExhausted:
      return "ThrottlingException";
    case Code::kUnavailable:
      return "ServiceUnavailableException";
    case Code::kInternal:
    case Code::kOk:
      break;
  }
  return "ServiceUnavailableException";
}

int StatusFor(Code code, std::string_view type) {
  if (code == Code::kInternal) return 500;
  for (const WireError& e : kStatusOverrides) {
    if (e.type == type) return e.status;
  }
  return 400;
}

}  // namespace

Status InvalidParameter(std::string message) {
  return InvalidArgument(std::move(message), "InvalidParameterException");
}

Status SerializationError(std::string message) {
  return InvalidArgument(std::move(message), "SerializationException");
}

Status UnknownOperation(std::string message) {
  return InvalidArgument(std::move(message), "UnknownOperationException");
}

http::HttpResponse RenderError(const Status& status) {
  std::string_view type =
      status.aws_type().empty() ? DefaultType(status.code()) : status.aws_type();
  http::HttpResponse r;
  r.status = StatusFor(status.code(), type);
  r.SetHeader("Content-Type", kContentType);
  r.SetHeader("x-amzn-ErrorType", std::string(type));
  r.body = nlohmann::json{{"__type", type}, {"message", status.message()}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

http::HttpResponse JsonResponse(const nlohmann::json& body) {
  http::HttpResponse r;
  r.SetHeader("Content-Type", kContentType);
  // Messages are stored as the bytes they were written with; anything that is not UTF-8 is
  // replaced rather than refused, so one bad line cannot make a stream unreadable.
  if (!body.is_null()) r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

}  // namespace lamina::services::logs
