// What UploadPart and UploadPartCopy share (multipart_ops.cc).
#pragma once

#include "services/s3/operations.h"

namespace lamina::services::s3 {

// The upload the call's uploadId names, for its bucket and key; NoSuchUpload when none.
StatusOr<UploadInfo> FindUpload(const S3Call& call);
// The call's partNumber (1-10000); InvalidArgument otherwise.
StatusOr<int> PartNumber(const S3Call& call);
// Stores `part` of `upload`, then answers `response`.
void StorePart(const CallPtr& call, const UploadInfo& upload, PartInfo part,
               http::HttpResponse response);

}  // namespace lamina::services::s3
