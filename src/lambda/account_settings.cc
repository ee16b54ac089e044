// GetAccountSettings: GET /2016-08-19/account-settings.
#include "lambda/code_package.h"
#include "lambda/errors.h"
#include "lambda/operation.h"

namespace lamina::lambda {

using json = nlohmann::json;

OpResult GetAccountSettings(OpContext& op) {
  int64_t count = 0;
  ASSIGN_OR_RETURN(int64_t total, TotalCodeSize(op, &count));
  // Concurrency limits arrive with the scheduler; until then AWS's defaults for a new account.
  json body = {{"AccountLimit",
                {{"TotalCodeSize", kTotalCodeSizeLimit},
                 {"CodeSizeUnzipped", kMaxUnzippedBytes},
                 {"CodeSizeZipped", kZippedCodeSizeLimit},
                 {"ConcurrentExecutions", 1000},
                 {"UnreservedConcurrentExecutions", 1000}}},
               {"AccountUsage", {{"TotalCodeSize", total}, {"FunctionCount", count}}}};
  return JsonResponse(200, body.dump());
}

}  // namespace lamina::lambda
