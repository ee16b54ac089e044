#include "services/s3/s3_errors.h"

#include <string_view>

#include "common/crypto.h"
#include "common/xml_writer.h"

namespace lamina::services::s3 {
namespace {

struct KnownCode {
  std::string_view code;
  int http_status;
};

constexpr KnownCode kCodes[] = {
    {"AccessDenied", 403},
    {"AuthorizationHeaderMalformed", 400},
    {"AuthorizationQueryParametersError", 400},
    {"BadDigest", 400},
    {"BadRequest", 400},
    {"BucketAlreadyExists", 409},
    {"BucketAlreadyOwnedByYou", 409},
    {"BucketNotEmpty", 409},
    {"EntityTooLarge", 400},
    {"EntityTooSmall", 400},
    {"ExpiredToken", 400},
    {"IllegalLocationConstraintException", 400},
    {"IncompleteBody", 400},
    {"InternalError", 500},
    {"InvalidAccessKeyId", 403},
    {"InvalidArgument", 400},
    {"InvalidBucketName", 400},
    {"InvalidDigest", 400},
    {"InvalidLocationConstraint", 400},
    {"InvalidPart", 400},
    {"InvalidPartNumber", 416},
    {"InvalidPartOrder", 400},
    {"InvalidRange", 416},
    {"InvalidRequest", 400},
    {"InvalidStorageClass", 400},
    {"InvalidTag", 400},
    {"KeyTooLongError", 400},
    {"MalformedPolicy", 400},
    {"MalformedXML", 400},
    {"MetadataTooLarge", 400},
    {"MethodNotAllowed", 405},
    {"MissingContentLength", 411},
    {"MissingSecurityHeader", 400},
    {"NoSuchBucket", 404},
    {"NoSuchBucketPolicy", 404},
    {"NoSuchCORSConfiguration", 404},
    {"NoSuchKey", 404},
    {"NoSuchLifecycleConfiguration", 404},
    {"NoSuchTagSet", 404},
    {"NoSuchUpload", 404},
    {"NoSuchWebsiteConfiguration", 404},
    {"NotImplemented", 501},
    {"OperationAborted", 409},
    {"PreconditionFailed", 412},
    {"RequestTimeTooSkewed", 403},
    {"ServiceUnavailable", 503},
    {"SignatureDoesNotMatch", 403},
    {"SlowDown", 503},
    {"XAmzContentSHA256Mismatch", 400},
};

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// A presigned URL past its X-Amz-Expires (the verifier counts it in seconds, a skew in minutes).
bool IsExpiredPresign(const Status& status) {
  return status.aws_type() == "InvalidSignatureException" &&
         StartsWith(status.message(), "Signature expired") &&
         status.message().find(" sec.)") != std::string::npos;
}

// The SigV4 verifier speaks the JSON services' names (auth/sigv4.h); S3 has its own.
std::string_view FromSigV4(const Status& status) {
  const std::string& type = status.aws_type();
  const std::string& message = status.message();
  if (type == "MissingAuthenticationTokenException") return "AccessDenied";
  if (type == "UnrecognizedClientException") return "InvalidAccessKeyId";
  if (type == "ExpiredTokenException") return "ExpiredToken";
  if (type == "IncompleteSignatureException") {
    return StartsWith(message, "X-Amz-") || message.find("query") != std::string::npos
               ? "AuthorizationQueryParametersError"
               : "AuthorizationHeaderMalformed";
  }
  if (type == "InvalidSignatureException") {
    if (IsExpiredPresign(status)) return "AccessDenied";
    if (StartsWith(message, "Signature expired") || StartsWith(message, "Signature not yet")) {
      return "RequestTimeTooSkewed";
    }
    if (StartsWith(message, "Credential should be scoped")) return "AuthorizationHeaderMalformed";
    if (StartsWith(message, "The request signature")) return "SignatureDoesNotMatch";
    return "AuthorizationHeaderMalformed";
  }
  return {};
}

std::string_view FromCode(Code code) {
  switch (code) {
    case Code::kInvalidArgument:
      return "InvalidArgument";
    case Code::kNotFound:
      return "NoSuchKey";
    case Code::kAlreadyExists:
      return "BucketAlreadyExists";
    case Code::kFailedPrecondition:
      return "PreconditionFailed";
    case Code::kConflict:
      return "OperationAborted";
    case Code::kUnauthenticated:
    case Code::kPermissionDenied:
      return "AccessDenied";
    case Code::kTooLarge:
      return "EntityTooLarge";
    case Code::kResourceExhausted:
      return "SlowDown";
    case Code::kUnavailable:
      return "ServiceUnavailable";
    default:
      return "InternalError";
  }
}

std::string_view MessageOf(std::string_view code, const Status& status) {
  if (code == "AccessDenied" && status.aws_type() == "MissingAuthenticationTokenException") {
    return "Access Denied";
  }
  if (code == "AccessDenied" && IsExpiredPresign(status)) return "Request has expired";
  if (code == "InvalidAccessKeyId") {
    return "The AWS Access Key Id you provided does not exist in our records.";
  }
  if (code == "ExpiredToken") return "The provided token has expired.";
  if (code == "SignatureDoesNotMatch") {
    return "The request signature we calculated does not match the signature you provided. "
           "Check your key and signing method.";
  }
  return status.message();
}

}  // namespace

ErrorCode ErrorCodeOf(const Status& status) {
  std::string_view code = FromSigV4(status);
  if (code.empty()) code = status.aws_type();
  for (const KnownCode& known : kCodes) {
    if (known.code == code) return {std::string(code), known.http_status};
  }
  std::string_view fallback = FromCode(status.code());
  for (const KnownCode& known : kCodes) {
    if (known.code == fallback) return {std::string(fallback), known.http_status};
  }
  return {"InternalError", 500};
}

http::HttpResponse ErrorResponse(const Status& status, const std::string& request_id,
                                 const std::vector<std::pair<std::string, std::string>>& details) {
  ErrorCode code = ErrorCodeOf(status);
  XmlWriter xml;
  xml.Open("Error");
  xml.Element("Code", code.code);
  xml.Element("Message", MessageOf(code.code, status));
  for (const auto& [name, value] : details) xml.Element(name, value);
  xml.Element("RequestId", request_id);
  xml.Element("HostId", Base64Encode(request_id));
  http::HttpResponse r;
  r.status = code.http_status;
  r.SetHeader("Content-Type", "application/xml");
  r.SetHeader("x-amz-request-id", request_id);
  r.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + xml.Finish();
  return r;
}

Status NoSuchBucket() { return NotFound("The specified bucket does not exist", "NoSuchBucket"); }
Status NoSuchKey() { return NotFound("The specified key does not exist.", "NoSuchKey"); }
Status MalformedXml() {
  return lamina::InvalidArgument(
      "The XML you provided was not well-formed or did not validate against our published "
      "schema",
      "MalformedXML");
}
Status InvalidArgument(std::string message) {
  return lamina::InvalidArgument(std::move(message), "InvalidArgument");
}
Status InvalidRequest(std::string message) {
  return lamina::InvalidArgument(std::move(message), "InvalidRequest");
}
Status NotImplemented(std::string what) {
  return Status(Code::kInternal,
                "A header or query you provided requested a function that is not implemented: " +
                    std::move(what),
                "NotImplemented");
}

}  // namespace lamina::services::s3
