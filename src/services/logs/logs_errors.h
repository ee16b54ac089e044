// CloudWatch Logs' error vocabulary on the wire, and the one place a Status becomes an AWS JSON
// 1.1 error: `{"__type": "ResourceNotFoundException", "message": "..."}` with the
// `x-amzn-ErrorType` header. Client errors are 400 (CloudWatch Logs answers even missing
// resources and auth failures with 400), a too-large body 413, server faults 500 or 503.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "common/status.h"
#include "http/message.h"

namespace lamina::services::logs {

Status InvalidParameter(std::string message);    // InvalidParameterException
Status SerializationError(std::string message);  // SerializationException
Status UnknownOperation(std::string message);    // UnknownOperationException

http::HttpResponse RenderError(const Status& status);

// A successful answer: `body` as JSON, or an empty body when it is null (operations without
// output answer so).
http::HttpResponse JsonResponse(const nlohmann::json& body);

}  // namespace lamina::services::logs
