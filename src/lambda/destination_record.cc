#include "lambda/destination_record.h"

#include <nlohmann/json.hpp>

#include "common/time_format.h"

namespace lamina::lambda {

using json = nlohmann::json;

namespace {

// A payload as the record carries it: its JSON, or the text itself when it is not JSON.
json PayloadJson(const std::string& payload) {
  json parsed = json::parse(payload, nullptr, false);
  if (parsed.is_discarded()) return payload;
  return parsed;
}

}  // namespace

std::string InvocationRecord(const InvocationRecordInput& in) {
  json record = {{"version", "1.0"},
                 {"timestamp", FormatIso8601Millis(in.timestamp_ms)},
                 {"requestContext",
                  {{"requestId", in.request_id},
                   {"functionArn", in.function_arn},
                   {"condition", in.condition},
                   {"approximateInvokeCount", in.approximate_invoke_count}}},
                 {"requestPayload", PayloadJson(in.request_payload)}};
  if (in.response) {
    json context = {{"statusCode", in.response->status_code},
                    {"executedVersion", in.response->executed_version}};
    if (!in.response->function_error.empty()) {
      context["functionError"] = in.response->function_error;
    }
    record["responseContext"] = std::move(context);
    record["responsePayload"] = PayloadJson(in.response->payload);
  }
  return record.dump();
}

}  // namespace lamina::lambda
