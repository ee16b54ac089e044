// Lambda's error vocabulary on the wire, and the one place Status becomes a rest-json error:
// status code, `x-amzn-ErrorType`, and a JSON body with `Type` and `Message`/`message` exactly as
// botocore's model names the member for each error shape.
#pragma once

#include <string>

#include "common/status.h"
#include "http/message.h"

namespace lamina::lambda {

// The AWS error names Lambda uses, as Status constructors.
Status InvalidParameterValue(std::string message);
Status ValidationError(std::string message);  // "ValidationException"
Status InvalidRequestContent(std::string message);
Status ResourceNotFound(std::string message);
Status ResourceConflict(std::string message);
Status PreconditionFailedRevision();
Status FunctionNotFound(const std::string& function_arn);

http::HttpResponse RenderError(const Status& status);

// Invoke's throttle: 429 TooManyRequestsException with `Retry-After` and the `Reason` (e.g.
// "ReservedFunctionConcurrentInvocationLimitExceeded").
http::HttpResponse Throttled(std::string_view reason, std::string_view message = "Rate Exceeded.");

// A JSON response with the given status.
http::HttpResponse JsonResponse(int status, const std::string& body);

}  // namespace lamina::lambda
