// The pure parts of asynchronous invocation and its neighbours: the recursion guard's lineage,
// destination records, alias routing and resource policies.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "auth/resource_policy.h"
#include "lambda/destination_record.h"
#include "lambda/function_record.h"
#include "lambda/lineage.h"

namespace lamina::lambda {
namespace {

using json = nlohmann::json;

constexpr char kArn[] = "arn:aws:lambda:us-east-1:000000000000:function:f";
constexpr char kOther[] = "arn:aws:lambda:us-east-1:000000000000:function:g";

TEST(Lineage, ANewChainGetsARootAndCountsOne) {
  TraceLineage first = NextLineage("", kArn, 1'700'000'000'000);
  EXPECT_EQ(first.count, 1);
  EXPECT_EQ(first.header.rfind("Root=1-", 0), 0u) << first.header;
  EXPECT_NE(first.header.find(";Lineage="), std::string::npos);
  EXPECT_EQ(LineageCount(first.header, kArn), 1);
  EXPECT_EQ(LineageCount(first.header, kOther), 0);
}

TEST(Lineage, CountsEachFunctionOfTheChainAndKeepsTheRoot) {
  TraceLineage t = NextLineage("Root=1-abc-def;Parent=12;Sampled=0", kArn, 0);
  EXPECT_EQ(t.header.rfind("Root=1-abc-def;Parent=12;Sampled=0;Lineage=", 0), 0u) << t.header;
  for (int i = 0; i < 5; ++i) t = NextLineage(t.header, kArn, 0);
  t = NextLineage(t.header, kOther, 0);
  t = NextLineage(t.header, kOther, 0);
  EXPECT_EQ(LineageCount(t.header, kArn), 6);
  EXPECT_EQ(LineageCount(t.header, kOther), 2);
  EXPECT_EQ(t.count, 2);
  EXPECT_EQ(t.header.find("Lineage="), t.header.rfind("Lineage=")) << "one Lineage field";
}

TEST(Lineage, AnSdkEncodedHeaderCountsTheSame) {
  TraceLineage t = NextLineage("", kArn, 0);
  t = NextLineage(t.header, kOther, 0);
  // botocore sends _X_AMZN_TRACE_ID on with '|' percent-encoded.
  std::string sent = t.header;
  for (size_t at; (at = sent.find('|')) != std::string::npos;) sent.replace(at, 1, "%7C");
  TraceLineage next = NextLineage(sent, kArn, 0);
  EXPECT_EQ(next.count, 2);
  EXPECT_EQ(LineageCount(next.header, kOther), 1);
  EXPECT_EQ(next.header.find('%'), std::string::npos) << next.header;
}

TEST(Lineage, GarbageInTheHeaderCountsAsNothing) {
  EXPECT_EQ(LineageCount("Lineage=zz;Lineage=|:|:x", kArn), 0);
  EXPECT_EQ(NextLineage("Lineage=|||", kArn, 0).count, 1);
}

TEST(DestinationRecord, SuccessHasAWSsShape) {
  InvocationRecordInput in;
  in.request_id = "r1";
  in.function_arn = std::string(kArn) + ":$LATEST";
  in.condition = "Success";
  in.approximate_invoke_count = 1;
  in.request_payload = R"({"a":1})";
  in.response = InvocationOutcome{200, "$LATEST", "", R"({"ok":true})"};
  in.timestamp_ms = 1'573'755'365'568;
  json r = json::parse(InvocationRecord(in));
  EXPECT_EQ(r["version"], "1.0");
  EXPECT_EQ(r["timestamp"], "2019-11-14T18:16:05.568Z");
  EXPECT_EQ(r["requestContext"], (json{{"requestId", "r1"},
                                       {"functionArn", in.function_arn},
                                       {"condition", "Success"},
                                       {"approximateInvokeCount", 1}}));
  EXPECT_EQ(r["requestPayload"], (json{{"a", 1}}));
  EXPECT_EQ(r["responseContext"], (json{{"statusCode", 200}, {"executedVersion", "$LATEST"}}));
  EXPECT_EQ(r["responsePayload"], (json{{"ok", true}}));
}

TEST(DestinationRecord, FailureNamesTheErrorAndAnEventThatNeverRanHasNoResponse) {
  InvocationRecordInput in;
  in.condition = "RetriesExhausted";
  in.request_payload = "{}";
  in.response = InvocationOutcome{200, "3", "Unhandled", "not json"};
  json r = json::parse(InvocationRecord(in));
  EXPECT_EQ(r["responseContext"]["functionError"], "Unhandled");
  EXPECT_EQ(r["responsePayload"], "not json");
  in.condition = "EventAgeExceeded";
  in.response.reset();
  r = json::parse(InvocationRecord(in));
  EXPECT_FALSE(r.contains("responseContext"));
  EXPECT_FALSE(r.contains("responsePayload"));
}

FunctionRecord WithAlias(json alias) {
  FunctionRecord r;
  r.versions = {{"1", json::object()}, {"2", json::object()}};
  r.aliases = {{"prod", std::move(alias)}};
  return r;
}

TEST(ResolveQualifier, VersionsAliasesAndWeights) {
  FunctionRecord r = WithAlias(
      {{"FunctionVersion", "1"}, {"RoutingConfig", {{"AdditionalVersionWeights", {{"2", 0.25}}}}}});
  EXPECT_EQ(ResolveQualifier(r, ""), "$LATEST");
  EXPECT_EQ(ResolveQualifier(r, "2"), "2");
  EXPECT_EQ(ResolveQualifier(r, "3"), std::nullopt);
  EXPECT_EQ(ResolveQualifier(r, "staging"), std::nullopt);
  EXPECT_EQ(ResolveQualifier(r, "prod"), "1") << "no draw: the main version";
  EXPECT_EQ(ResolveQualifier(r, "prod", 0.10), "2");
  EXPECT_EQ(ResolveQualifier(r, "prod", 0.25), "1");
  EXPECT_EQ(AliasVersions(r.aliases["prod"]), (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(AliasVersions(json{{"FunctionVersion", "3"}}), (std::vector<std::string>{"3"}));
  EXPECT_TRUE(IsAliasName("prod"));
  EXPECT_FALSE(IsAliasName("12"));
  EXPECT_FALSE(IsAliasName("$LATEST"));
}

json Statement(json principal, json extra = json::object()) {
  json s = {{"Sid", "s"},
            {"Effect", "Allow"},
            {"Principal", std::move(principal)},
            {"Action", "lambda:InvokeFunction"},
            {"Resource", kArn}};
  s.update(extra);
  return s;
}

auth::AccessRequest Invoke(std::map<std::string, std::vector<std::string>> context = {}) {
  return auth::AccessRequest{"lambda:InvokeFunction", kArn, std::move(context)};
}

constexpr char kRole[] = "arn:aws:iam::000000000000:role/caller";

TEST(ResourcePolicy, ARoleNamedByItsArnMayInvokeOthersMayNot) {
  json policy = {{"Statement", {Statement({{"AWS", kRole}})}}};
  auth::PolicyCaller caller{"000000000000", kRole,
                            "arn:aws:sts::000000000000:assumed-role/caller/s", ""};
  EXPECT_EQ(auth::EvaluateResourcePolicy(policy, caller, Invoke()), auth::Decision::kAllowed);
  auth::PolicyCaller other{"000000000000", "arn:aws:iam::000000000000:role/other", "", ""};
  EXPECT_EQ(auth::EvaluateResourcePolicy(policy, other, Invoke()), auth::Decision::kImplicitDeny);
  auth::AccessRequest wrong_action{"lambda:DeleteFunction", kArn, {}};
  EXPECT_EQ(auth::EvaluateResourcePolicy(policy, caller, wrong_action),
            auth::Decision::kImplicitDeny);
  auth::AccessRequest wrong_resource{"lambda:InvokeFunction", std::string(kArn) + ":prod", {}};
  EXPECT_EQ(auth::EvaluateResourcePolicy(policy, caller, wrong_resource),
            auth::Decision::kImplicitDeny);
}

TEST(ResourcePolicy, AnAccountPrincipalAddsNothingForTheSameAccount) {
  json policy = {{"Statement", {Statement({{"AWS", "arn:aws:iam::000000000000:root"}})}}};
  auth::PolicyCaller caller{"000000000000", kRole, "", ""};
  EXPECT_EQ(auth::EvaluateResourcePolicy(policy, caller, Invoke()), auth::Decision::kImplicitDeny);
}

TEST(ResourcePolicy, AServiceIsBoundByItsSourceConditions) {
  json policy = {{"Statement",
                  {Statement({{"Service", "s3.amazonaws.com"}},
                             {{"Condition",
                               {{"ArnLike", {{"AWS:SourceArn", "arn:aws:s3:::bucket-*"}}},
                                {"StringEquals", {{"AWS:SourceAccount", "000000000000"}}}}}})}}};
  auth::PolicyCaller s3{"000000000000", "", "", "s3.amazonaws.com"};
  EXPECT_EQ(auth::EvaluateResourcePolicy(policy, s3,
                                         Invoke({{"aws:SourceArn", {"arn:aws:s3:::bucket-1"}},
                                                 {"aws:SourceAccount", {"000000000000"}}})),
            auth::Decision::kAllowed);
  EXPECT_EQ(auth::EvaluateResourcePolicy(policy, s3,
                                         Invoke({{"aws:SourceArn", {"arn:aws:s3:::elsewhere"}},
                                                 {"aws:SourceAccount", {"000000000000"}}})),
            auth::Decision::kImplicitDeny);
  auth::PolicyCaller sns{"000000000000", "", "", "sns.amazonaws.com"};
  EXPECT_EQ(auth::EvaluateResourcePolicy(policy, sns, Invoke()), auth::Decision::kImplicitDeny);
}

TEST(ResourcePolicy, ADenyWinsAndNoPolicyAllowsNothing) {
  json policy = {
      {"Statement", {Statement("*"), Statement({{"AWS", kRole}}, {{"Effect", "Deny"}})}}};
  auth::PolicyCaller caller{"000000000000", kRole, "", ""};
  EXPECT_EQ(auth::EvaluateResourcePolicy(policy, caller, Invoke()), auth::Decision::kExplicitDeny);
  EXPECT_EQ(auth::EvaluateResourcePolicy(json(), caller, Invoke()), auth::Decision::kImplicitDeny);
}

}  // namespace
}  // namespace lamina::lambda
