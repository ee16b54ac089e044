#include <gtest/gtest.h>

#include "lambda/function_name.h"

namespace lamina::lambda {
namespace {

constexpr char kRegion[] = "us-east-1";
constexpr char kAccount[] = "000000000000";

FunctionRef Parse(const std::string& input) {
  auto ref = ParseFunctionName(input, "functionName", kRegion, kAccount);
  EXPECT_TRUE(ref.ok()) << input << ": " << ref.status().ToString();
  return ref.ok() ? *ref : FunctionRef{};
}

std::string ErrorType(const std::string& input) {
  auto ref = ParseFunctionName(input, "functionName", kRegion, kAccount);
  return ref.ok() ? "" : ref.status().aws_type();
}

TEST(LambdaFunctionName, AcceptsEveryFormAwsAccepts) {
  EXPECT_EQ(Parse("my-function_1").name, "my-function_1");
  FunctionRef q = Parse("f:$LATEST");
  EXPECT_EQ(q.name, "f");
  EXPECT_EQ(q.qualifier, "$LATEST");
  EXPECT_EQ(Parse("000000000000:function:f").name, "f");
  EXPECT_EQ(Parse("000000000000:function:f:prod").qualifier, "prod");
  FunctionRef arn = Parse("arn:aws:lambda:us-east-1:000000000000:function:f:7");
  EXPECT_EQ(arn.name, "f");
  EXPECT_EQ(arn.qualifier, "7");
  EXPECT_EQ(Parse(std::string(64, 'a')).name, std::string(64, 'a'));
}

TEST(LambdaFunctionName, RejectsMalformedNamesWithValidationException) {
  EXPECT_EQ(ErrorType(""), "ValidationException");
  EXPECT_EQ(ErrorType(std::string(65, 'a')), "ValidationException");
  EXPECT_EQ(ErrorType("has space"), "ValidationException");
  EXPECT_EQ(ErrorType("f:"), "ValidationException");
  EXPECT_EQ(ErrorType("f:bad qualifier"), "ValidationException");
  EXPECT_EQ(ErrorType("arn:aws:lambda:us-east-1:000000000000:layer:f"), "ValidationException");
  EXPECT_EQ(ErrorType("12345:function:f"), "ValidationException");
  EXPECT_EQ(ErrorType("f\xff"), "ValidationException");
}

TEST(LambdaFunctionName, AnotherAccountOrRegionIsNotFoundHere) {
  auto other = ParseFunctionName("arn:aws:lambda:eu-west-1:000000000000:function:f", "functionName",
                                 kRegion, kAccount);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().aws_type(), "ResourceNotFoundException");
  EXPECT_EQ(other.status().message(),
            "Function not found: arn:aws:lambda:eu-west-1:000000000000:function:f");
  EXPECT_EQ(ErrorType("111111111111:function:f"), "ResourceNotFoundException");
}

TEST(LambdaFunctionName, BuildsArns) {
  EXPECT_EQ(FunctionArn(kRegion, kAccount, "f"),
            "arn:aws:lambda:us-east-1:000000000000:function:f");
  EXPECT_EQ(FunctionArn(kRegion, kAccount, "f", "$LATEST"),
            "arn:aws:lambda:us-east-1:000000000000:function:f:$LATEST");
}

}  // namespace
}  // namespace lamina::lambda
