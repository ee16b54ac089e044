// ARNs of log groups and streams, and the logGroupIdentifier parameter that takes either a group
// name or a group ARN.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "http/service.h"

namespace lamina::services::logs {

// arn:aws:logs:<region>:<account>:log-group:<name> (LogGroup.logGroupArn; LogGroup.arn is this
// with ":*" appended, as CloudWatch writes it).
std::string LogGroupArn(const http::CallContext& context, std::string_view group);
// arn:aws:logs:<region>:<account>:log-group:<group>:log-stream:<stream>
std::string LogStreamArn(const http::CallContext& context, std::string_view group,
                         std::string_view stream);

// The group named by a logGroupIdentifier: a name, or the ARN of a group of this account and
// region (without the ":*" of LogGroup.arn, which the identifier's pattern does not allow).
// NotFound for another account's or region's group; InvalidParameterException for an ARN that is
// not a log group's.
StatusOr<std::string> GroupFromIdentifier(const http::CallContext& context,
                                          std::string_view identifier);

}  // namespace lamina::services::logs
