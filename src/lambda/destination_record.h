// The invocation record AWS sends to an asynchronous invocation's destinations:
// {"version", "timestamp", "requestContext", "requestPayload", "responseContext",
//  "responsePayload"}.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace lamina::lambda {

struct InvocationOutcome {
  int status_code = 200;
  std::string executed_version;
  std::string function_error;  // "Unhandled" for a function error, else empty
  std::string payload;         // the function's response or error object
};

struct InvocationRecordInput {
  std::string request_id;
  std::string function_arn;  // qualified by the version (or alias) invoked
  std::string condition;     // "Success", "RetriesExhausted", "EventAgeExceeded", ...
  int approximate_invoke_count = 0;
  std::string request_payload;                // the event, JSON
  std::optional<InvocationOutcome> response;  // none when the event never ran
  int64_t timestamp_ms = 0;
};

std::string InvocationRecord(const InvocationRecordInput& input);

}  // namespace lamina::lambda
