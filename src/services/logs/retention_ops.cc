// PutRetentionPolicy, DeleteRetentionPolicy. The retention is enforced by the store's prune.
#include <algorithm>
#include <iterator>

#include "services/logs/operations.h"
#include "services/logs/shapes.h"

namespace lamina::services::logs {
namespace {

// The retention periods CloudWatch Logs accepts.
constexpr int kRetentionDays[] = {1,   3,   5,   7,   14,   30,   60,   90,   120,  150,  180,
                                  365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653};

std::string RetentionSet() {
  std::string set;
  for (int days : kRetentionDays) {
    if (!set.empty()) set += ", ";
    set += std::to_string(days);
  }
  return "[" + set + "]";
}

}  // namespace

OpResult PutRetentionPolicy(LogsCall& call) {
  RequestReader& request = call.request;
  std::optional<std::string> name = request.String("logGroupName", kLogGroupName, true);
  std::optional<int64_t> days =
      request.Integer("retentionInDays", std::numeric_limits<int32_t>::min(),
                      std::numeric_limits<int32_t>::max(), true);
  if (days && std::find(std::begin(kRetentionDays), std::end(kRetentionDays), *days) ==
                  std::end(kRetentionDays)) {
    request.Violation("retentionInDays", request.Member("retentionInDays"),
                      "Member must satisfy enum value set: " + RetentionSet());
  }
  RETURN_IF_ERROR(request.Finish());
  RETURN_IF_ERROR(call.store.SetRetention(*name, static_cast<int>(*days)));
  return nlohmann::json();
}

OpResult DeleteRetentionPolicy(LogsCall& call) {
  std::optional<std::string> name = call.request.String("logGroupName", kLogGroupName, true);
  RETURN_IF_ERROR(call.request.Finish());
  RETURN_IF_ERROR(call.store.SetRetention(*name, std::nullopt));
  return nlohmann::json();
}

}  // namespace lamina::services::logs
