#include <gtest/gtest.h>

#include <string>

#include "services/iam/arns.h"
#include "services/iam/trust_policy.h"

namespace lamina::services::iam {
namespace {

std::string Policy(const std::string& statements) {
  return R"({"Version":"2012-10-17","Statement":)" + statements + "}";
}

constexpr const char* kLambdaAllow =
    R"({"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"})";

TEST(IamTrustPolicyTest, AllowsTheStandardLambdaTrustPolicy) {
  EXPECT_TRUE(TrustsLambda(Policy(std::string("[") + kLambdaAllow + "]")));
  EXPECT_TRUE(TrustsLambda(Policy(kLambdaAllow))) << "a single statement object";
}

TEST(IamTrustPolicyTest, AcceptsActionListsAndWildcards) {
  for (const char* action : {R"(["sts:TagSession","sts:AssumeRole"])", R"("sts:*")", R"("*")",
                             R"("STS:assumerole")", R"("sts:Assume*")", R"(["sts:AssumeRol?"])"}) {
    std::string statement =
        R"({"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":)" +
        std::string(action) + "}";
    EXPECT_TRUE(TrustsLambda(Policy(statement))) << action;
  }
}

TEST(IamTrustPolicyTest, RejectsOtherActions) {
  for (const char* action :
       {R"("sts:AssumeRoleWithSAML")", R"("iam:*")", R"([])", R"(["sts:TagSession"])", R"(42)"}) {
    std::string statement =
        R"({"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":)" +
        std::string(action) + "}";
    EXPECT_FALSE(TrustsLambda(Policy(statement))) << action;
  }
}

TEST(IamTrustPolicyTest, AcceptsServiceListsAndEveryone) {
  for (const char* principal :
       {R"({"Service":["edgelambda.amazonaws.com","lambda.amazonaws.com"]})", R"("*")",
        R"({"AWS":"*"})", R"({"AWS":["arn:aws:iam::123456789012:root","*"]})"}) {
    std::string statement = R"({"Effect":"Allow","Action":"sts:AssumeRole","Principal":)" +
                            std::string(principal) + "}";
    EXPECT_TRUE(TrustsLambda(Policy(statement))) << principal;
  }
}

TEST(IamTrustPolicyTest, RejectsOtherPrincipals) {
  for (const char* principal :
       {R"({"Service":"ec2.amazonaws.com"})", R"({"Service":["ec2.amazonaws.com"]})",
        R"({"AWS":"arn:aws:iam::123456789012:root"})", R"("lambda.amazonaws.com")",
        R"({"Federated":"lambda.amazonaws.com"})", R"({"Service":"LAMBDA.amazonaws.com.evil"})"}) {
    std::string statement = R"({"Effect":"Allow","Action":"sts:AssumeRole","Principal":)" +
                            std::string(principal) + "}";
    EXPECT_FALSE(TrustsLambda(Policy(statement))) << principal;
  }
}

TEST(IamTrustPolicyTest, DenyAndMissingPiecesDoNotGrant) {
  EXPECT_FALSE(TrustsLambda(Policy(
      R"([{"Effect":"Deny","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}])")));
  EXPECT_FALSE(TrustsLambda(Policy(std::string("[") + kLambdaAllow +
                                   R"(,{"Effect":"Deny","Principal":"*","Action":"sts:*"}])")))
      << "an unconditional Deny wins";
  EXPECT_TRUE(TrustsLambda(Policy(
      std::string("[") + kLambdaAllow +
      R"(,{"Effect":"Deny","Principal":"*","Action":"sts:*","Condition":{"Bool":{"x":"y"}}}])")))
      << "a conditional Deny is not evaluated";
  EXPECT_FALSE(TrustsLambda(
      Policy(R"([{"Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}])")));
  EXPECT_FALSE(TrustsLambda(Policy(
      R"([{"Effect":"Allow","NotPrincipal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}])")));
  EXPECT_FALSE(TrustsLambda(Policy("[]")));
  EXPECT_FALSE(TrustsLambda(R"({"Version":"2012-10-17"})"));
}

TEST(IamTrustPolicyTest, MalformedDocumentsAreFalseNotErrors) {
  EXPECT_FALSE(TrustsLambda(""));
  EXPECT_FALSE(TrustsLambda("{"));
  EXPECT_FALSE(TrustsLambda("[1,2]"));
  EXPECT_FALSE(TrustsLambda(R"({"Statement":"sts:AssumeRole"})"));
  EXPECT_FALSE(TrustsLambda(R"({"Statement":[1,"x",null]})"));
}

TEST(IamArnTest, ParsesRoleArns) {
  auto plain = ParseRoleArn("arn:aws:iam::000000000000:role/my-role");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->account_id, "000000000000");
  EXPECT_EQ(plain->path, "/");
  EXPECT_EQ(plain->name, "my-role");
  auto pathed = ParseRoleArn("arn:aws:iam::123456789012:role/service-role/a/b");
  ASSERT_TRUE(pathed);
  EXPECT_EQ(pathed->path, "/service-role/a/");
  EXPECT_EQ(pathed->name, "b");
  for (const char* bad : {"", "arn:aws:iam::000000000000:role/", "arn:aws:iam::00000000000:role/r",
                          "arn:aws:iam::aws:role/r", "arn:aws:iam::000000000000:user/r",
                          "arn:aws:iam::000000000000:roles/r", "arn:aws:sts::000000000000:role/r",
                          "arn:aws:iam::000000000000:role/a b"}) {
    EXPECT_FALSE(ParseRoleArn(bad)) << bad;
  }
}

TEST(IamArnTest, ParsesPolicyArns) {
  auto managed = ParsePolicyArn("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole");
  ASSERT_TRUE(managed);
  EXPECT_EQ(managed->account_id, "aws");
  EXPECT_EQ(managed->path, "/service-role/");
  EXPECT_EQ(managed->name, "AWSLambdaBasicExecutionRole");
  auto customer = ParsePolicyArn("arn:aws:iam::123456789012:policy/mine");
  ASSERT_TRUE(customer);
  EXPECT_EQ(customer->path, "/");
  EXPECT_EQ(customer->name, "mine");
  for (const char* bad : {"not-an-arn", "arn:aws:iam::aws:policy/", "arn:aws:iam::12:policy/p",
                          "arn:aws:iam::aws:role/p", "arn:aws:s3:::bucket/policy/p"}) {
    EXPECT_FALSE(ParsePolicyArn(bad)) << bad;
  }
}

}  // namespace
}  // namespace lamina::services::iam
