// S3's error vocabulary on the wire: the one place a Status becomes S3's XML error document
// (<Error><Code/><Message/>...<RequestId/></Error>) with its HTTP status.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "http/message.h"

namespace lamina::services::s3 {

// The S3 error code and HTTP status for `status`: its aws_type when that is an S3 code, the
// SigV4 verifier's errors translated to S3's names, else one chosen from its Code.
struct ErrorCode {
  std::string code;
  int http_status = 500;
};
ErrorCode ErrorCodeOf(const Status& status);

// The error response. `details` are extra elements S3 adds for the error (BucketName, Key,
// UploadId, Condition, ...), written before RequestId.
http::HttpResponse ErrorResponse(
    const Status& status, const std::string& request_id,
    const std::vector<std::pair<std::string, std::string>>& details = {});

// Errors the operations share.
Status NoSuchBucket();
Status NoSuchKey();
Status MalformedXml();
Status InvalidArgument(std::string message);  // S3's InvalidArgument (400)
Status InvalidRequest(std::string message);
Status NotImplemented(std::string what);

}  // namespace lamina::services::s3
