// S3's error vocabulary: which S3 code and HTTP status a Status becomes (the SigV4 verifier's
// JSON-protocol names included), and the XML error document.
#include "services/s3/s3_errors.h"

#include <gtest/gtest.h>

#include <pugixml.hpp>
#include <string>
#include <vector>

#include "common/status.h"
#include "http/message.h"

namespace lamina::services::s3 {
namespace {

void ExpectCode(const Status& status, const char* code, int http_status) {
  ErrorCode c = ErrorCodeOf(status);
  EXPECT_EQ(c.code, code) << status.ToString();
  EXPECT_EQ(c.http_status, http_status) << status.ToString();
}

constexpr char kSignatureMessage[] =
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details.";

TEST(ErrorCodeOf, SigV4ErrorsGetS3Names) {
  ExpectCode(lamina::Unauthenticated("The security token included in the request is invalid.",
                                     "UnrecognizedClientException"),
             "InvalidAccessKeyId", 403);
  ExpectCode(lamina::Unauthenticated(kSignatureMessage, "InvalidSignatureException"),
             "SignatureDoesNotMatch", 403);
  ExpectCode(lamina::Unauthenticated("Missing Authentication Token",
                                     "MissingAuthenticationTokenException"),
             "AccessDenied", 403);
  ExpectCode(lamina::Unauthenticated("The security token included in the request is expired",
                                     "ExpiredTokenException"),
             "ExpiredToken", 400);
}

TEST(ErrorCodeOf, AnExpiredPresignedUrlIsAccessDenied) {
  ExpectCode(lamina::Unauthenticated("Signature expired: 20150830T123600Z is now earlier than "
                                     "20150830T123700Z (20150830T123800Z - 60 sec.)",
                                     "InvalidSignatureException"),
             "AccessDenied", 403);
}

TEST(ErrorCodeOf, ClockSkewIsRequestTimeTooSkewed) {
  ExpectCode(lamina::Unauthenticated("Signature expired: 20150830T123600Z is now earlier than "
                                     "20150830T125100Z (20150830T130600Z - 15 min.)",
                                     "InvalidSignatureException"),
             "RequestTimeTooSkewed", 403);
  ExpectCode(lamina::Unauthenticated("Signature not yet current: 20150830T123600Z is still later "
                                     "than 20150830T122100Z (20150830T120600Z + 15 min.)",
                                     "InvalidSignatureException"),
             "RequestTimeTooSkewed", 403);
}

TEST(ErrorCodeOf, MalformedAuthorizationIsAuthorizationHeaderMalformed) {
  ExpectCode(lamina::Unauthenticated("Credential should be scoped to a valid region. ",
                                     "InvalidSignatureException"),
             "AuthorizationHeaderMalformed", 400);
  ExpectCode(lamina::Unauthenticated("Authorization header requires 'Signature' parameter.",
                                     "IncompleteSignatureException"),
             "AuthorizationHeaderMalformed", 400);
}

TEST(ErrorCodeOf, KnownS3CodesKeepTheirStatus) {
  ExpectCode(lamina::NotFound("The specified key does not exist.", "NoSuchKey"), "NoSuchKey", 404);
  ExpectCode(lamina::InvalidArgument("The requested range is not satisfiable", "InvalidRange"),
             "InvalidRange", 416);
  ExpectCode(lamina::FailedPrecondition("At least one of the pre-conditions you specified did "
                                        "not hold",
                                        "PreconditionFailed"),
             "PreconditionFailed", 412);
  ExpectCode(lamina::Conflict("The bucket you tried to delete is not empty", "BucketNotEmpty"),
             "BucketNotEmpty", 409);
  ExpectCode(lamina::AlreadyExists("owned", "BucketAlreadyOwnedByYou"), "BucketAlreadyOwnedByYou",
             409);
  ExpectCode(lamina::InvalidArgument("digest", "BadDigest"), "BadDigest", 400);
  ExpectCode(lamina::InvalidArgument("short", "IncompleteBody"), "IncompleteBody", 400);
  ExpectCode(lamina::Unauthenticated("x", "SignatureDoesNotMatch"), "SignatureDoesNotMatch", 403);
  ExpectCode(lamina::InvalidArgument("sha", "XAmzContentSHA256Mismatch"),
             "XAmzContentSHA256Mismatch", 400);
}

TEST(ErrorCodeOf, TheSharedErrorsHaveTheirCodes) {
  ExpectCode(NoSuchBucket(), "NoSuchBucket", 404);
  ExpectCode(NoSuchKey(), "NoSuchKey", 404);
  ExpectCode(MalformedXml(), "MalformedXML", 400);
  ExpectCode(InvalidArgument("bad"), "InvalidArgument", 400);
  ExpectCode(InvalidRequest("bad"), "InvalidRequest", 400);
  ExpectCode(NotImplemented("x-amz-website-redirect-location"), "NotImplemented", 501);
}

TEST(ErrorCodeOf, UnknownTypesFallBackByCode) {
  ExpectCode(lamina::NotFound("gone", "ResourceNotFoundException"), "NoSuchKey", 404);
  ExpectCode(lamina::InvalidArgument("bad", "ValidationException"), "InvalidArgument", 400);
  ExpectCode(lamina::InvalidArgument("bad"), "InvalidArgument", 400);
  ExpectCode(lamina::FailedPrecondition("no"), "PreconditionFailed", 412);
  ExpectCode(lamina::Conflict("busy"), "OperationAborted", 409);
  ExpectCode(lamina::PermissionDenied("no", "AccessDeniedException"), "AccessDenied", 403);
  ExpectCode(lamina::Unauthenticated("who", "SomethingElse"), "AccessDenied", 403);
  ExpectCode(Status(Code::kResourceExhausted, "slow down"), "SlowDown", 503);
  ExpectCode(Status(Code::kUnavailable, "stopping"), "ServiceUnavailable", 503);
  ExpectCode(lamina::Internal("broken"), "InternalError", 500);
  ExpectCode(lamina::Internal("broken", "ServiceException"), "InternalError", 500);
}

// The element names under <Error>, in order.
std::vector<std::string> ChildNames(const pugi::xml_node& node) {
  std::vector<std::string> names;
  for (pugi::xml_node child : node.children()) names.emplace_back(child.name());
  return names;
}

TEST(ErrorResponse, IsAnXmlErrorDocument) {
  http::HttpResponse r = ErrorResponse(NoSuchKey(), "REQ123");
  EXPECT_EQ(r.status, 404);
  ASSERT_NE(r.Header("Content-Type"), nullptr);
  EXPECT_EQ(*r.Header("Content-Type"), "application/xml");
  ASSERT_NE(r.Header("x-amz-request-id"), nullptr);
  EXPECT_EQ(*r.Header("x-amz-request-id"), "REQ123");
  EXPECT_EQ(r.body.rfind("<?xml", 0), 0u) << r.body;

  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_buffer(r.body.data(), r.body.size())) << r.body;
  pugi::xml_node error = doc.child("Error");
  ASSERT_TRUE(error) << r.body;
  EXPECT_STREQ(error.child_value("Code"), "NoSuchKey");
  EXPECT_STREQ(error.child_value("Message"), "The specified key does not exist.");
  EXPECT_STREQ(error.child_value("RequestId"), "REQ123");
}

TEST(ErrorResponse, DetailsComeBeforeTheRequestId) {
  http::HttpResponse r =
      ErrorResponse(NoSuchKey(), "REQ123", {{"Key", "a/b & <c>"}, {"BucketName", "b"}});
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_buffer(r.body.data(), r.body.size())) << r.body;
  pugi::xml_node error = doc.child("Error");
  ASSERT_TRUE(error) << r.body;
  std::vector<std::string> names = ChildNames(error);
  ASSERT_GE(names.size(), 5u) << r.body;
  EXPECT_EQ(names[0], "Code");
  EXPECT_EQ(names[1], "Message");
  EXPECT_EQ(names[2], "Key");
  EXPECT_EQ(names[3], "BucketName");
  EXPECT_EQ(names[4], "RequestId");
  EXPECT_STREQ(error.child_value("Key"), "a/b & <c>");
  EXPECT_STREQ(error.child_value("BucketName"), "b");
}

TEST(ErrorResponse, SigV4ErrorsGetS3Messages) {
  http::HttpResponse r =
      ErrorResponse(lamina::Unauthenticated(kSignatureMessage, "InvalidSignatureException"), "R1");
  EXPECT_EQ(r.status, 403);
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_buffer(r.body.data(), r.body.size())) << r.body;
  EXPECT_STREQ(doc.child("Error").child_value("Code"), "SignatureDoesNotMatch");
  EXPECT_EQ(std::string(doc.child("Error").child_value("Message"))
                .rfind("The request signature we calculated does not match", 0),
            0u)
      << r.body;

  r = ErrorResponse(lamina::Unauthenticated("Missing Authentication Token",
                                            "MissingAuthenticationTokenException"),
                    "R2");
  EXPECT_EQ(r.status, 403);
  ASSERT_TRUE(doc.load_buffer(r.body.data(), r.body.size())) << r.body;
  EXPECT_STREQ(doc.child("Error").child_value("Code"), "AccessDenied");
  EXPECT_STREQ(doc.child("Error").child_value("Message"), "Access Denied");
  EXPECT_STREQ(doc.child("Error").child_value("RequestId"), "R2");
}

TEST(ErrorResponse, EscapesTheMessage) {
  http::HttpResponse r =
      ErrorResponse(lamina::InvalidArgument("a <b> & \"c\"", "InvalidArgument"), "R3");
  EXPECT_EQ(r.status, 400);
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_buffer(r.body.data(), r.body.size())) << r.body;
  EXPECT_STREQ(doc.child("Error").child_value("Message"), "a <b> & \"c\"");
}

}  // namespace
}  // namespace lamina::services::s3
