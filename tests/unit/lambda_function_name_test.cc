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
  EXPECT_EQ(ErrorType("has space"), "ValidationException");
  EXPECT_EQ(ErrorType("f:"), "ValidationException");
  EXPECT_EQ(ErrorType("f:bad qualifier"), "ValidationException");
  EXPECT_EQ(ErrorType("arn:aws:lambda:us-east-1:000000000000:layer:f"), "ValidationException");
  EXPECT_EQ(ErrorType("12345:function:f"), "ValidationException");
  EXPECT_EQ(ErrorType("arn:aws:lambda:invalid-region:000000000000:function:f"),
            "ValidationException");
  EXPECT_EQ(ErrorType("arn:aws:lambda::000000000000:function:f"), "ValidationException");
  EXPECT_EQ(ErrorType("arn:aws:ec2:us-east-1:000000000000:function:f"), "ValidationException");
  EXPECT_EQ(ErrorType("f\xff"), "ValidationException");
}

// As AWS answers: CreateFunction refuses a 65-character name with InvalidParameterValueException
// and its own pattern; a lookup accepts it (and '.') and then finds nothing.
TEST(LambdaFunctionName, NewNamesAreStricterThanLookups) {
  const std::string long_name(65, 'a');
  EXPECT_EQ(Parse(long_name).name, long_name);
  EXPECT_EQ(Parse("dotted.name").name, "dotted.name");
  auto created = ParseFunctionName(long_name, "functionName", kRegion, kAccount, NameShape::kNew);
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.status().aws_type(), "InvalidParameterValueException");
  EXPECT_EQ(created.status().message(),
            "1 validation error detected: Value '" + long_name +
                "' at 'functionName' failed to satisfy constraint: Member must have length less "
                "than or equal to 64");
  auto dotted =
      ParseFunctionName("dotted.name", "functionName", kRegion, kAccount, NameShape::kNew);
  ASSERT_FALSE(dotted.ok());
  EXPECT_EQ(dotted.status().aws_type(), "ValidationException");
  EXPECT_NE(dotted.status().message().find("(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|"),
            std::string::npos);
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
