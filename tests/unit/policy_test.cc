#include "auth/policy.h"

#include <gtest/gtest.h>

namespace lamina::auth {
namespace {

Policy Must(std::string_view doc) {
  auto p = Policy::Parse(doc);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return std::move(*p);
}

Decision Eval(std::initializer_list<std::string_view> docs, AccessRequest request) {
  std::vector<Policy> parsed;
  for (std::string_view d : docs) parsed.push_back(Must(d));
  std::vector<const Policy*> pointers;
  for (const Policy& p : parsed) pointers.push_back(&p);
  return PolicyEvaluator::Evaluate(pointers, request);
}

constexpr std::string_view kReadBucket = R"({"Version":"2012-10-17","Statement":[
  {"Effect":"Allow","Action":["s3:GetObject","s3:List*"],"Resource":"arn:aws:s3:::data/*"}]})";

TEST(PolicyTest, AllowsWhatAStatementAllowsAndNothingElse) {
  EXPECT_EQ(Eval({kReadBucket}, {"s3:GetObject", "arn:aws:s3:::data/a/b.txt", {}}),
            Decision::kAllowed);
  // Actions compare case-insensitively, with wildcards.
  EXPECT_EQ(Eval({kReadBucket}, {"S3:listobjectsv2", "arn:aws:s3:::data/x", {}}),
            Decision::kAllowed);
  // Resources case-sensitively.
  EXPECT_EQ(Eval({kReadBucket}, {"s3:GetObject", "arn:aws:s3:::DATA/a", {}}),
            Decision::kImplicitDeny);
  EXPECT_EQ(Eval({kReadBucket}, {"s3:PutObject", "arn:aws:s3:::data/a", {}}),
            Decision::kImplicitDeny);
  EXPECT_EQ(Eval({}, {"s3:GetObject", "arn:aws:s3:::data/a", {}}), Decision::kImplicitDeny);
}

TEST(PolicyTest, ExplicitDenyWinsAcrossPolicies) {
  constexpr std::string_view kAll =
      R"({"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}})";
  constexpr std::string_view kNoDelete =
      R"({"Statement":[{"Effect":"Deny","Action":"lambda:Delete*","Resource":"*"}]})";
  EXPECT_EQ(Eval({kAll, kNoDelete}, {"lambda:DeleteFunction", "arn:aws:lambda:x", {}}),
            Decision::kExplicitDeny);
  EXPECT_EQ(Eval({kNoDelete, kAll}, {"lambda:InvokeFunction", "arn:aws:lambda:x", {}}),
            Decision::kAllowed);
}

TEST(PolicyTest, NotActionAndNotResource) {
  constexpr std::string_view kAllButIam = R"({"Statement":[
    {"Effect":"Allow","NotAction":"iam:*","NotResource":"arn:aws:lambda:*:*:function:secret*"}]})";
  EXPECT_EQ(Eval({kAllButIam}, {"sts:GetCallerIdentity", "*", {}}), Decision::kAllowed);
  EXPECT_EQ(Eval({kAllButIam}, {"iam:CreateRole", "*", {}}), Decision::kImplicitDeny);
  EXPECT_EQ(Eval({kAllButIam},
                 {"lambda:InvokeFunction", "arn:aws:lambda:us-east-1:1:function:secret-fn", {}}),
            Decision::kImplicitDeny);
}

TEST(PolicyTest, Conditions) {
  constexpr std::string_view kFromBucket = R"({"Statement":[{"Effect":"Allow",
    "Action":"lambda:InvokeFunction","Resource":"*",
    "Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::in-*"},
                 "NumericLessThanEquals":{"lamina:size":100},
                 "BoolIfExists":{"aws:SecureTransport":"true"}}}]})";
  AccessRequest r{"lambda:InvokeFunction",
                  "*",
                  {{"AWS:SourceArn", {"arn:aws:s3:::in-bucket"}}, {"lamina:size", {"42"}}}};
  EXPECT_EQ(Eval({kFromBucket}, r), Decision::kAllowed);  // Bool absent: IfExists holds
  r.context["aws:SecureTransport"] = {"false"};
  EXPECT_EQ(Eval({kFromBucket}, r), Decision::kImplicitDeny);
  r.context.erase("aws:SecureTransport");
  r.context["lamina:size"] = {"101"};
  EXPECT_EQ(Eval({kFromBucket}, r), Decision::kImplicitDeny);
  r.context.erase("lamina:size");  // absent, no IfExists: the condition fails
  EXPECT_EQ(Eval({kFromBucket}, r), Decision::kImplicitDeny);

  constexpr std::string_view kDenyOthers = R"({"Statement":[
    {"Effect":"Allow","Action":"*","Resource":"*"},
    {"Effect":"Deny","Action":"*","Resource":"*",
     "Condition":{"StringNotEquals":{"aws:RequestedRegion":["us-east-1","eu-west-1"]}}},
    {"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Null":{"aws:PrincipalTag/team":"true"}}}]})";
  AccessRequest ok{"s3:GetObject",
                   "*",
                   {{"aws:RequestedRegion", {"eu-west-1"}}, {"aws:PrincipalTag/team", {"a"}}}};
  EXPECT_EQ(Eval({kDenyOthers}, ok), Decision::kAllowed);
  ok.context["aws:RequestedRegion"] = {"ap-south-1"};
  EXPECT_EQ(Eval({kDenyOthers}, ok), Decision::kExplicitDeny);
  ok.context["aws:RequestedRegion"] = {"us-east-1"};
  ok.context.erase("aws:PrincipalTag/team");
  EXPECT_EQ(Eval({kDenyOthers}, ok), Decision::kExplicitDeny);
}

TEST(PolicyTest, MalformedDocumentsAreRefused) {
  for (std::string_view doc : {
           "not json",
           R"({"Version":"2012-10-17"})",
           R"({"Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]})",
           R"({"Statement":[{"Effect":"Allow","Resource":"*"}]})",
           R"({"Statement":[{"Effect":"Allow","Action":"*","NotAction":"s3:*","Resource":"*"}]})",
           R"({"Statement":[{"Effect":"Allow","Action":"*"}]})",
           R"({"Statement":[{"Effect":"Allow","Action":"*","Resource":"*",
                             "Condition":{"StringSortOf":{"k":"v"}}}]})",
           R"({"Statement":[{"Effect":"Allow","Action":[1,{}],"Resource":"*"}]})",
       }) {
    auto p = Policy::Parse(doc);
    EXPECT_FALSE(p.ok()) << doc;
    if (!p.ok()) {
      EXPECT_EQ(p.status().aws_type(), "MalformedPolicyDocument") << doc;
    }
  }
}

TEST(PolicyTest, DecisionNamesAreIamSimulatorWords) {
  EXPECT_EQ(DecisionName(Decision::kAllowed), "allowed");
  EXPECT_EQ(DecisionName(Decision::kExplicitDeny), "explicitDeny");
  EXPECT_EQ(DecisionName(Decision::kImplicitDeny), "implicitDeny");
}

}  // namespace
}  // namespace lamina::auth
