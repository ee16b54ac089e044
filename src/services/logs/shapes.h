// The string shapes of the CloudWatch Logs model (botocore's logs/2014-03-28) that requests use.
#pragma once

#include "services/logs/request_reader.h"

namespace lamina::services::logs {

bool ValidLogGroupName(std::string_view s);         // [\.\-_/#A-Za-z0-9]+
bool ValidLogGroupNamePattern(std::string_view s);  // [\.\-_/#A-Za-z0-9]*
bool ValidLogStreamName(std::string_view s);        // [^:*]*
bool ValidLogGroupIdentifier(std::string_view s);   // [\w#+=/:,.@-]*
bool ValidAccountId(std::string_view s);            // ^\d{12}$

inline constexpr StringShape kLogGroupName{1, 512, ValidLogGroupName, "[\\.\\-_/#A-Za-z0-9]+"};
inline constexpr StringShape kLogGroupNamePattern{0, 512, ValidLogGroupNamePattern,
                                                  "[\\.\\-_/#A-Za-z0-9]*"};
inline constexpr StringShape kLogStreamName{1, 512, ValidLogStreamName, "[^:*]*"};
inline constexpr StringShape kLogGroupIdentifier{1, 2048, ValidLogGroupIdentifier,
                                                 "[\\w#+=/:,.@-]*"};
inline constexpr StringShape kAccountId{12, 12, ValidAccountId, "^\\d{12}$"};
inline constexpr StringShape kNextToken{1};
inline constexpr StringShape kSequenceToken{1};
inline constexpr StringShape kFilterPattern{0, 1024};
inline constexpr StringShape kKmsKeyId{0, 256};
inline constexpr StringShape kEventMessage{1};
inline constexpr StringShape kTagKey{1, 128};
inline constexpr StringShape kTagValue{0, 256};

}  // namespace lamina::services::logs
