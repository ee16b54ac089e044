// Trusts(document, "AWS", names): trust policies naming AWS principals, as STS AssumeRole reads
// them (the caller's own ARN, its role's ARN, the account root or id, "*").
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "services/iam/trust_policy.h"

namespace lamina::services::iam {
namespace {

constexpr const char* kRoot = "arn:aws:iam::000000000000:root";
constexpr const char* kRoleA = "arn:aws:iam::000000000000:role/role-a";
constexpr const char* kSessionA = "arn:aws:sts::000000000000:assumed-role/role-a/s1";

std::string Doc(const std::string& statements) {
  return R"({"Version":"2012-10-17","Statement":)" + statements + "}";
}

std::string Allow(const std::string& principal, const std::string& action = R"("sts:AssumeRole")") {
  return R"({"Effect":"Allow","Action":)" + action + R"(,"Principal":)" + principal + "}";
}

// The names AssumeRole asks about for a session of role-a, and for the account.
const std::vector<std::string> kCallerA = {kSessionA, kRoleA};
const std::vector<std::string> kAccount = {kRoot, "000000000000"};

TEST(IamTrustPolicyAwsTest, AccountRootArnTrustsTheAccount) {
  std::string doc = Doc("[" + Allow(R"({"AWS":"arn:aws:iam::000000000000:root"})") + "]");
  EXPECT_TRUE(Trusts(doc, "AWS", kAccount));
  EXPECT_TRUE(Trusts(doc, "AWS", {kRoot}));
  EXPECT_FALSE(Trusts(doc, "AWS", kCallerA)) << "the root names the account, not role-a itself";
  EXPECT_FALSE(Trusts(doc, "AWS", {"arn:aws:iam::111111111111:root"}));
  EXPECT_FALSE(Trusts(doc, "Service", kAccount)) << "the type must match";
}

TEST(IamTrustPolicyAwsTest, BareAccountIdTrustsTheAccount) {
  std::string doc = Doc(Allow(R"({"AWS":"000000000000"})"));
  EXPECT_TRUE(Trusts(doc, "AWS", kAccount));
  EXPECT_FALSE(Trusts(doc, "AWS", {"111111111111"}));
  EXPECT_FALSE(Trusts(doc, "AWS", kCallerA));
}

TEST(IamTrustPolicyAwsTest, SpecificRoleArnTrustsThatRoleOnly) {
  std::string doc = Doc("[" + Allow(R"({"AWS":"arn:aws:iam::000000000000:role/role-a"})") + "]");
  EXPECT_TRUE(Trusts(doc, "AWS", kCallerA));
  EXPECT_TRUE(Trusts(doc, "AWS", {kRoleA}));
  EXPECT_FALSE(Trusts(doc, "AWS", {"arn:aws:iam::000000000000:role/role-b"}));
  EXPECT_FALSE(Trusts(doc, "AWS", {"arn:aws:iam::000000000000:role/ROLE-A"}))
      << "ARNs compare exactly";
  EXPECT_FALSE(Trusts(doc, "AWS", {"arn:aws:iam::000000000000:role/role-a-2"}));
  EXPECT_FALSE(Trusts(doc, "AWS", kAccount)) << "naming a role does not trust the account";
  EXPECT_FALSE(Trusts(doc, "AWS", {}));
}

TEST(IamTrustPolicyAwsTest, AssumedRoleSessionArnTrustsThatSession) {
  std::string doc = Doc(Allow(R"({"AWS":"arn:aws:sts::000000000000:assumed-role/role-a/s1"})"));
  EXPECT_TRUE(Trusts(doc, "AWS", kCallerA));
  EXPECT_FALSE(Trusts(doc, "AWS", {"arn:aws:sts::000000000000:assumed-role/role-a/s2", kRoleA}));
}

TEST(IamTrustPolicyAwsTest, StarTrustsEveryone) {
  for (const char* principal : {R"("*")", R"({"AWS":"*"})", R"({"AWS":["x","*"]})"}) {
    std::string doc = Doc(Allow(principal));
    EXPECT_TRUE(Trusts(doc, "AWS", kCallerA)) << principal;
    EXPECT_TRUE(Trusts(doc, "AWS", kAccount)) << principal;
    EXPECT_TRUE(Trusts(doc, "AWS", {"arn:aws:iam::111111111111:root"})) << principal;
    EXPECT_TRUE(Trusts(doc, "Service", {"lambda.amazonaws.com"})) << principal;
  }
  // A "*" under another principal type is a name like any other, not a wildcard for AWS.
  EXPECT_FALSE(Trusts(Doc(Allow(R"({"Service":"*"})")), "AWS", kCallerA));
  // Nor is a partial wildcard: principals do not glob.
  EXPECT_FALSE(
      Trusts(Doc(Allow(R"({"AWS":"arn:aws:iam::000000000000:role/*"})")), "AWS", kCallerA));
}

TEST(IamTrustPolicyAwsTest, ListFormsOfPrincipalsStatementsAndActions) {
  std::string listed = Doc(Allow(
      R"({"AWS":["arn:aws:iam::000000000000:role/other","arn:aws:iam::000000000000:role/role-a"],)"
      R"("Service":["lambda.amazonaws.com"]})"));
  EXPECT_TRUE(Trusts(listed, "AWS", kCallerA));
  EXPECT_TRUE(Trusts(listed, "Service", {"lambda.amazonaws.com"}));
  EXPECT_FALSE(Trusts(listed, "AWS", kAccount));

  std::string statements = Doc("[" + Allow(R"({"Service":"lambda.amazonaws.com"})") + "," +
                               Allow(R"({"AWS":"arn:aws:iam::000000000000:root"})") + "]");
  EXPECT_TRUE(Trusts(statements, "AWS", kAccount));
  EXPECT_TRUE(Trusts(statements, "Service", {"lambda.amazonaws.com"}));
  EXPECT_FALSE(Trusts(statements, "AWS", kCallerA));

  for (const char* action :
       {R"(["sts:TagSession","sts:AssumeRole"])", R"("sts:*")", R"("*")", R"("STS:ASSUMEROLE")"}) {
    EXPECT_TRUE(Trusts(Doc(Allow(R"({"AWS":"000000000000"})", action)), "AWS", kAccount)) << action;
  }
  for (const char* action : {R"("sts:AssumeRoleWithWebIdentity")", R"(["sts:TagSession"])"}) {
    EXPECT_FALSE(Trusts(Doc(Allow(R"({"AWS":"000000000000"})", action)), "AWS", kAccount))
        << action;
  }
}

TEST(IamTrustPolicyAwsTest, AnUnconditionalDenyWins) {
  std::string allow_root = Allow(R"({"AWS":"arn:aws:iam::000000000000:root"})");
  std::string deny_a = R"({"Effect":"Deny","Action":"sts:AssumeRole",)"
                       R"("Principal":{"AWS":"arn:aws:iam::000000000000:role/role-a"}})";
  std::string doc = Doc("[" + allow_root + "," + deny_a + "]");
  EXPECT_TRUE(Trusts(doc, "AWS", kAccount)) << "the Deny names role-a, not the account";
  EXPECT_FALSE(Trusts(doc, "AWS", kCallerA));

  std::string both =
      Doc("[" + Allow(R"({"AWS":"arn:aws:iam::000000000000:role/role-a"})") + "," + deny_a + "]");
  EXPECT_FALSE(Trusts(both, "AWS", kCallerA)) << "Deny beats the Allow naming the same role";

  std::string deny_all =
      Doc("[" + allow_root + R"(,{"Effect":"Deny","Action":"*","Principal":{"AWS":"*"}}])");
  EXPECT_FALSE(Trusts(deny_all, "AWS", kAccount));

  std::string only_deny = Doc("[" + deny_a + "]");
  EXPECT_FALSE(Trusts(only_deny, "AWS", kCallerA));
  EXPECT_FALSE(Trusts(only_deny, "AWS", kAccount));
}

TEST(IamTrustPolicyAwsTest, NotPrincipalAndNotActionNeverGrant) {
  EXPECT_FALSE(Trusts(Doc(R"({"Effect":"Allow","Action":"sts:AssumeRole",)"
                          R"("NotPrincipal":{"AWS":"arn:aws:iam::1:root"}})"),
                      "AWS", kAccount));
  EXPECT_FALSE(
      Trusts(Doc(R"({"Effect":"Allow","NotAction":"s3:*","Principal":{"AWS":"000000000000"}})"),
             "AWS", kAccount));
  EXPECT_FALSE(Trusts("not json", "AWS", kAccount));
}

}  // namespace
}  // namespace lamina::services::iam
