// PutFunctionConcurrency (PUT /2017-10-31/functions/{f}/concurrency), GetFunctionConcurrency
// (GET /2019-09-30/...) and DeleteFunctionConcurrency (DELETE /2017-10-31/..., 204): a function's
// reserved concurrency, kept in its record and enforced by invoke::ConcurrencyLimits.
#include <limits>

#include "lambda/async_dispatcher.h"
#include "lambda/errors.h"
#include "lambda/function_config.h"
#include "lambda/operation.h"
#include "lambda/validation.h"

namespace lamina::lambda {

using json = nlohmann::json;

namespace {

// Reserved concurrency is set on the function itself, never on a version or alias.
Status CheckUnqualified(OpContext& op) {
  if (op.Query("Qualifier")) {
    return InvalidParameterValue("Reserved concurrency cannot be set on a qualified function.");
  }
  return Status::Ok();
}

// Stores `reserved` (nullopt: none) in the function's record, then in the limits.
Status StoreReservation(OpContext& op, std::optional<int> reserved) {
  ASSIGN_OR_RETURN(
      FunctionRecord record,
      ModifyFunction(
          op, "",
          [&](FunctionRecord& r) {
            if (reserved) {
              RETURN_IF_ERROR(op.deps.concurrency->CheckReservation(r.name(), *reserved));
            }
            r.reserved_concurrency = reserved;
            return Status::Ok();
          },
          /*configuration_changes=*/false));
  op.deps.concurrency->SetReserved(record.name(), reserved);
  // Events held back by the old limit need not wait out their back-off.
  if (op.deps.async) op.deps.async->Wake(record.name());
  return Status::Ok();
}

}  // namespace

OpResult PutFunctionConcurrency(OpContext& op) {
  RETURN_IF_ERROR(CheckUnqualified(op));
  ASSIGN_OR_RETURN(json body, ParseBody(op.request.body));
  ASSIGN_OR_RETURN(const json* value,
                   Member(body, "ReservedConcurrentExecutions", json::value_t::number_integer));
  Violations v;
  int64_t reserved = 0;
  if (!value) {
    v.Add("ReservedConcurrentExecutions", nullptr, "Member must not be null");
  } else {
    reserved = value->is_number_unsigned() && value->get<uint64_t>() > INT32_MAX
                   ? std::numeric_limits<int64_t>::max()
                   : value->get<int64_t>();
    v.Range("ReservedConcurrentExecutions", reserved, 0, std::numeric_limits<int32_t>::max());
  }
  RETURN_IF_ERROR(v.ToStatus());
  std::lock_guard lock(op.deps.concurrency_mu);
  RETURN_IF_ERROR(StoreReservation(op, static_cast<int>(reserved)));
  return JsonResponse(200, json{{"ReservedConcurrentExecutions", reserved}}.dump());
}

OpResult GetFunctionConcurrency(OpContext& op) {
  RETURN_IF_ERROR(CheckUnqualified(op));
  ASSIGN_OR_RETURN(auto record, LoadFunction(op));
  json body = json::object();
  if (record->reserved_concurrency) {
    body["ReservedConcurrentExecutions"] = *record->reserved_concurrency;
  }
  return JsonResponse(200, body.dump());
}

OpResult DeleteFunctionConcurrency(OpContext& op) {
  RETURN_IF_ERROR(CheckUnqualified(op));
  std::lock_guard lock(op.deps.concurrency_mu);
  RETURN_IF_ERROR(StoreReservation(op, std::nullopt));
  http::HttpResponse r;
  r.status = 204;
  return r;
}

}  // namespace lamina::lambda
