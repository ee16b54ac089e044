// Who may do what to S3 resources: the caller's identity policies (role sessions; the account's
// own keys may do anything) and the bucket's policy, as S3 combines them within one account, and
// for unsigned requests the bucket policy alone (what it grants Principal "*").
#pragma once

#include <string>

#include "http/service.h"
#include "services/s3/object_store.h"

namespace lamina::services::s3 {

// AccessDenied (S3's "Access Denied") unless the caller may perform `action` ("s3:GetObject")
// on `resource` (arn:aws:s3:::bucket[/key], or "*"), which belongs to `bucket` ("" for none).
Status AuthorizeS3(const http::CallContext& context, ObjectStore& store, const std::string& bucket,
                   const std::string& action, const std::string& resource);

}  // namespace lamina::services::s3
