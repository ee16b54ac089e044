#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "lambda/errors.h"
#include "lambda/validation.h"

namespace lamina::lambda {
namespace {

using json = nlohmann::json;

TEST(LambdaErrors, RendersEachShapeWithTheModelsMemberNames) {
  http::HttpResponse r = RenderError(FunctionNotFound("arn:x"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(*r.Header("x-amzn-ErrorType"), "ResourceNotFoundException");
  EXPECT_EQ(json::parse(r.body),
            json({{"Type", "User"}, {"Message", "Function not found: arn:x"}}));

  r = RenderError(InvalidParameterValue("bad"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body), json({{"Type", "User"}, {"message", "bad"}}));

  r = RenderError(ValidationError("1 validation error detected: x"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body), json({{"message", "1 validation error detected: x"}}));

  r = RenderError(PreconditionFailedRevision());
  EXPECT_EQ(r.status, 412);
  EXPECT_EQ(*r.Header("x-amzn-ErrorType"), "PreconditionFailedException");

  r = RenderError(Internal("disk on fire"));
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(*r.Header("x-amzn-ErrorType"), "ServiceException");
  EXPECT_EQ(json::parse(r.body)["Type"], "Service");

  r = RenderError(
      Unauthenticated("Missing Authentication Token", "MissingAuthenticationTokenException"));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(json::parse(r.body), json({{"message", "Missing Authentication Token"}}));
}

TEST(LambdaErrors, KeepsInvalidUtf8FromBreakingTheJson) {
  http::HttpResponse r = RenderError(InvalidParameterValue("bad \xff name"));
  EXPECT_FALSE(json::parse(r.body, nullptr, false).is_discarded());
}

TEST(LambdaValidation, CountsAndJoinsViolationsAsAwsDoes) {
  Violations v;
  EXPECT_TRUE(v.ToStatus().ok());
  v.Range("timeout", 0, 1, 900);
  v.Range("memorySize", 100, 128, 10240);
  v.Range("memorySize", 500, 128, 10240);  // in range: no violation
  Status s = v.ToStatus();
  EXPECT_EQ(s.aws_type(), "ValidationException");
  EXPECT_EQ(s.message(),
            "2 validation errors detected: Value '0' at 'timeout' failed to satisfy constraint: "
            "Member must have value greater than or equal to 1; Value '100' at 'memorySize' "
            "failed to satisfy constraint: Member must have value greater than or equal to 128");
}

TEST(LambdaValidation, RendersAMissingMemberAsNullUnquoted) {
  Violations v;
  v.Add("Role", nullptr, "Member must not be null");
  EXPECT_EQ(v.ToStatus().message(),
            "1 validation error detected: Value null at 'role' failed to satisfy constraint: "
            "Member must not be null");
}

}  // namespace
}  // namespace lamina::lambda
