// GetAccountSettings: GET /2016-08-19/account-settings.
#include "lambda/code_package.h"
#include "lambda/errors.h"
#include "lambda/operation.h"

namespace lamina::lambda {

using json = nlohmann::json;

OpResult GetAccountSettings(OpContext& op) {
  int64_t count = 0;
  ASSIGN_OR_RETURN(int64_t total, TotalCodeSize(op, &count));
  json body = {{"AccountLimit",
                {{"TotalCodeSize", kTotalCodeSizeLimit},
                 {"CodeSizeUnzipped", kMaxUnzippedBytes},
                 {"CodeSizeZipped", kZippedCodeSizeLimit},
                 {"ConcurrentExecutions", op.deps.concurrency->account_limit()},
                 {"UnreservedConcurrentExecutions", op.deps.concurrency->Unreserved()}}},
               {"AccountUsage", {{"TotalCodeSize", total}, {"FunctionCount", count}}}};
  return JsonResponse(200, body.dump());
}

}  // namespace lamina::lambda
