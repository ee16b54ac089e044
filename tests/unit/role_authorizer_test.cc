#include "services/iam/role_authorizer.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "auth/policy.h"
#include "common/clock.h"
#include "common/uri.h"
#include "http/message.h"
#include "http/service.h"
#include "query_form.h"
#include "scoped_temp_dir.h"
#include "services/iam/iam_service.h"
#include "services/iam/managed_policies.h"
#include "store/sqlite_store.h"

namespace lamina::services::iam {
namespace {

using auth::Decision;
constexpr const char* kLambdaTrust =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",)"
    R"("Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]})";
constexpr const char* kS3ReadOnly = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess";
constexpr const char* kFn = "arn:aws:lambda:us-east-1:000000000000:function:";

// Invoke any function whose name starts with "app-" but never "app-secret"; read the bucket
// "private" never.
constexpr const char* kInline = R"({"Version":"2012-10-17","Statement":[
  {"Effect":"Allow","Action":"lambda:InvokeFunction",
   "Resource":"arn:aws:lambda:us-east-1:000000000000:function:app-*"},
  {"Effect":"Deny","Action":"lambda:InvokeFunction",
   "Resource":"arn:aws:lambda:us-east-1:000000000000:function:app-secret"},
  {"Effect":"Deny","Action":"s3:*","Resource":["arn:aws:s3:::private","arn:aws:s3:::private/*"]}
]})";

auth::AccessRequest Request(std::string action, std::string resource) {
  return {std::move(action), std::move(resource), {}};
}

class RoleAuthorizerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = store::SqliteStore::Open(dir_.Join("lamina.db"));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    service_ = std::make_unique<IamService>(store_.get(), &clock_);
    context_.request_id = "req-1";
    context_.account_id = "000000000000";
    context_.region = "us-east-1";
    context_.principal_arn = "arn:aws:iam::000000000000:root";
    context_.user_id = "000000000000";
  }

  // Sends one IAM query to the service as the account's root; the HTTP status.
  int Call(Params params) {
    params.insert(params.begin(), {"Version", "2010-05-08"});
    http::HttpRequest request;
    request.method = "POST";
    request.target = request.path = "/";
    request.AddHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
    request.body = Form(params);
    http::HttpResponse response;
    service_->Handle(context_, std::move(request),
                     [&](http::HttpResponse r) { response = std::move(r); });
    EXPECT_EQ(response.status, 200) << response.body;
    return response.status;
  }

  void CreateRole(const std::string& name) {
    Call(
        {{"Action", "CreateRole"}, {"RoleName", name}, {"AssumeRolePolicyDocument", kLambdaTrust}});
  }
  void PutPolicy(const std::string& role, const std::string& name, const std::string& document) {
    Call({{"Action", "PutRolePolicy"},
          {"RoleName", role},
          {"PolicyName", name},
          {"PolicyDocument", document}});
  }
  void Attach(const std::string& role, const std::string& arn) {
    Call({{"Action", "AttachRolePolicy"}, {"RoleName", role}, {"PolicyArn", arn}});
  }

  // The decision of `authorizer` for `role`, failing the test on an error.
  static Decision Decide(const auth::Authorizer& authorizer, const std::string& role,
                         const std::string& action, const std::string& resource) {
    auto decision = authorizer.Check(role, Request(action, resource));
    EXPECT_TRUE(decision.ok()) << decision.status().ToString();
    return decision.ok() ? *decision : Decision::kImplicitDeny;
  }
  Decision Decide(const std::string& role, const std::string& action, const std::string& resource) {
    return Decide(*service_->authorizer(), role, action, resource);
  }

  test_util::ScopedTempDir dir_;
  FakeClock clock_{1795768910000};
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<IamService> service_;
  http::CallContext context_;
};

TEST_F(RoleAuthorizerTest, InlineAndAttachedPoliciesDecideTogether) {
  CreateRole("worker");
  PutPolicy("worker", "invoke", kInline);
  Attach("worker", kS3ReadOnly);

  // Allowed by the inline policy.
  EXPECT_EQ(Decide("worker", "lambda:InvokeFunction", std::string(kFn) + "app-one"),
            Decision::kAllowed);
  // Allowed by AmazonS3ReadOnlyAccess (s3:Get*, s3:List*).
  EXPECT_EQ(Decide("worker", "s3:GetObject", "arn:aws:s3:::public/key"), Decision::kAllowed);
  EXPECT_EQ(Decide("worker", "s3:ListBucket", "arn:aws:s3:::public"), Decision::kAllowed);
  // Actions are matched case-insensitively.
  EXPECT_EQ(Decide("worker", "S3:getobject", "arn:aws:s3:::public/key"), Decision::kAllowed);
  // Nothing allows these: implicit deny.
  EXPECT_EQ(Decide("worker", "s3:PutObject", "arn:aws:s3:::public/key"), Decision::kImplicitDeny);
  EXPECT_EQ(Decide("worker", "lambda:InvokeFunction", std::string(kFn) + "other"),
            Decision::kImplicitDeny);
  EXPECT_EQ(Decide("worker", "lambda:GetFunction", std::string(kFn) + "app-one"),
            Decision::kImplicitDeny);
  EXPECT_EQ(Decide("worker", "iam:ListRoles", "*"), Decision::kImplicitDeny);
  // An explicit Deny wins over an Allow, in the same policy or in an attached one.
  EXPECT_EQ(Decide("worker", "lambda:InvokeFunction", std::string(kFn) + "app-secret"),
            Decision::kExplicitDeny);
  EXPECT_EQ(Decide("worker", "s3:GetObject", "arn:aws:s3:::private/key"), Decision::kExplicitDeny);
  EXPECT_EQ(Decide("worker", "s3:PutObject", "arn:aws:s3:::private/key"), Decision::kExplicitDeny);
}

TEST_F(RoleAuthorizerTest, RoleNamesAreCaseInsensitive) {
  CreateRole("Worker");
  Attach("Worker", kS3ReadOnly);
  EXPECT_EQ(Decide("worker", "s3:GetObject", "*"), Decision::kAllowed);
  EXPECT_EQ(Decide("WORKER", "s3:GetObject", "*"), Decision::kAllowed);
  EXPECT_EQ(Decide("Worker", "s3:GetObject", "*"), Decision::kAllowed);
}

TEST_F(RoleAuthorizerTest, ChangesThroughTheServiceTakeEffectAtOnce) {
  CreateRole("worker");
  const std::string fn = std::string(kFn) + "app-one";
  EXPECT_EQ(Decide("worker", "lambda:InvokeFunction", fn), Decision::kImplicitDeny);

  PutPolicy("worker", "invoke", kInline);
  EXPECT_EQ(Decide("worker", "lambda:InvokeFunction", fn), Decision::kAllowed)
      << "PutRolePolicy invalidates the cached policies";

  PutPolicy("worker", "deny-all",
            R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*",)"
            R"("Resource":"*"}]})");
  EXPECT_EQ(Decide("worker", "lambda:InvokeFunction", fn), Decision::kExplicitDeny);

  Call({{"Action", "DeleteRolePolicy"}, {"RoleName", "worker"}, {"PolicyName", "deny-all"}});
  EXPECT_EQ(Decide("worker", "lambda:InvokeFunction", fn), Decision::kAllowed)
      << "DeleteRolePolicy invalidates";

  EXPECT_EQ(Decide("worker", "s3:GetObject", "*"), Decision::kImplicitDeny);
  Attach("worker", kS3ReadOnly);
  EXPECT_EQ(Decide("worker", "s3:GetObject", "*"), Decision::kAllowed)
      << "AttachRolePolicy invalidates";
  Call({{"Action", "DetachRolePolicy"}, {"RoleName", "worker"}, {"PolicyArn", kS3ReadOnly}});
  EXPECT_EQ(Decide("worker", "s3:GetObject", "*"), Decision::kImplicitDeny)
      << "DetachRolePolicy invalidates";

  Call({{"Action", "DeleteRolePolicy"}, {"RoleName", "worker"}, {"PolicyName", "invoke"}});
  EXPECT_EQ(Decide("worker", "lambda:InvokeFunction", fn), Decision::kImplicitDeny);
}

TEST_F(RoleAuthorizerTest, ADeletedAndRecreatedRoleKeepsNothing) {
  CreateRole("worker");
  PutPolicy("worker", "invoke", kInline);
  const std::string fn = std::string(kFn) + "app-one";
  EXPECT_EQ(Decide("worker", "lambda:InvokeFunction", fn), Decision::kAllowed);
  Call({{"Action", "DeleteRolePolicy"}, {"RoleName", "worker"}, {"PolicyName", "invoke"}});
  Call({{"Action", "DeleteRole"}, {"RoleName", "worker"}});
  EXPECT_EQ(Decide("worker", "lambda:InvokeFunction", fn), Decision::kImplicitDeny);
  CreateRole("worker");
  EXPECT_EQ(Decide("worker", "lambda:InvokeFunction", fn), Decision::kImplicitDeny);
}

TEST_F(RoleAuthorizerTest, ReadyOnlyOnceLoadedAndUntilInvalidated) {
  CreateRole("worker");
  PutPolicy("worker", "invoke", kInline);
  RoleAuthorizer authorizer(store_.get());
  EXPECT_FALSE(authorizer.Ready("worker"));
  auto loaded = authorizer.Load("worker");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ((*loaded)->size(), 1u);
  EXPECT_TRUE(authorizer.Ready("worker"));
  EXPECT_TRUE(authorizer.Ready("WORKER")) << "names are case-insensitive";
  EXPECT_FALSE(authorizer.Ready("other")) << "only the loaded role";

  // A second Load answers from memory: the same policies.
  auto again = authorizer.Load("worker");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->get(), loaded->get());

  authorizer.Invalidate();
  EXPECT_FALSE(authorizer.Ready("worker"));
  EXPECT_EQ(Decide(authorizer, "worker", "lambda:InvokeFunction", std::string(kFn) + "app-x"),
            Decision::kAllowed);
  EXPECT_TRUE(authorizer.Ready("worker")) << "Check loads too";
}

TEST_F(RoleAuthorizerTest, AnAuthorizerNobodyInvalidatesKeepsItsCache) {
  // Documents the contract: only Invalidate() makes a RoleAuthorizer read the store again (the IAM
  // service invalidates its own after every change).
  CreateRole("worker");
  RoleAuthorizer authorizer(store_.get());
  const std::string fn = std::string(kFn) + "app-one";
  EXPECT_EQ(Decide(authorizer, "worker", "lambda:InvokeFunction", fn), Decision::kImplicitDeny);
  PutPolicy("worker", "invoke", kInline);  // through the service: invalidates the service's only
  EXPECT_EQ(Decide(authorizer, "worker", "lambda:InvokeFunction", fn), Decision::kImplicitDeny);
  authorizer.Invalidate();
  EXPECT_EQ(Decide(authorizer, "worker", "lambda:InvokeFunction", fn), Decision::kAllowed);
}

TEST_F(RoleAuthorizerTest, TheServiceAuthorizerIsReadyAfterACheckAndNotAfterAChange) {
  CreateRole("worker");
  const auth::Authorizer& authorizer = *service_->authorizer();
  EXPECT_FALSE(authorizer.Ready("worker"));
  Decide("worker", "s3:GetObject", "*");
  EXPECT_TRUE(authorizer.Ready("worker"));
  Attach("worker", kS3ReadOnly);
  EXPECT_FALSE(authorizer.Ready("worker")) << "a change makes every cached role stale";
  // Reads don't.
  Decide("worker", "s3:GetObject", "*");
  Call({{"Action", "GetRole"}, {"RoleName", "worker"}});
  Call({{"Action", "ListRoles"}});
  EXPECT_TRUE(authorizer.Ready("worker"));
}

TEST_F(RoleAuthorizerTest, AMissingRoleAllowsNothing) {
  RoleAuthorizer authorizer(store_.get());
  auto loaded = authorizer.Load("ghost");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_TRUE((*loaded)->empty());
  EXPECT_EQ(Decide(authorizer, "ghost", "s3:GetObject", "*"), Decision::kImplicitDeny);
  EXPECT_EQ(Decide(authorizer, "ghost", "lambda:InvokeFunction", "*"), Decision::kImplicitDeny);
  EXPECT_EQ(Decide("ghost", "sts:AssumeRole", "*"), Decision::kImplicitDeny);
  EXPECT_EQ(Decide("", "s3:GetObject", "*"), Decision::kImplicitDeny);
}

TEST_F(RoleAuthorizerTest, UnknownManagedPoliciesGrantNothing) {
  CreateRole("worker");
  Attach("worker", "arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess");  // not in Lamina's list
  Attach("worker", "arn:aws:iam::000000000000:policy/customer-managed");
  auto loaded = RoleAuthorizer(store_.get()).Load("worker");
  ASSERT_TRUE(loaded.ok());
  EXPECT_TRUE((*loaded)->empty());
  EXPECT_EQ(Decide("worker", "dynamodb:GetItem", "*"), Decision::kImplicitDeny);
  EXPECT_EQ(Decide("worker", "s3:GetObject", "*"), Decision::kImplicitDeny);

  Attach("worker", kS3ReadOnly);  // a known one next to them still counts
  EXPECT_EQ(Decide("worker", "s3:GetObject", "*"), Decision::kAllowed);
  EXPECT_EQ(Decide("worker", "dynamodb:GetItem", "*"), Decision::kImplicitDeny);
}

TEST_F(RoleAuthorizerTest, KnownManagedPoliciesGrantWhatAwsDocuments) {
  CreateRole("admin");
  Attach("admin", "arn:aws:iam::aws:policy/AdministratorAccess");
  EXPECT_EQ(Decide("admin", "iam:DeleteRole", "arn:aws:iam::000000000000:role/x"),
            Decision::kAllowed);

  CreateRole("basic");
  Attach("basic", "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole");
  EXPECT_EQ(Decide("basic", "logs:PutLogEvents", "*"), Decision::kAllowed);
  EXPECT_EQ(Decide("basic", "logs:DescribeLogGroups", "*"), Decision::kImplicitDeny);

  CreateRole("invoker");
  Attach("invoker", "arn:aws:iam::aws:policy/service-role/AWSLambdaRole");
  EXPECT_EQ(Decide("invoker", "lambda:InvokeFunction", std::string(kFn) + "any"),
            Decision::kAllowed);
  EXPECT_EQ(Decide("invoker", "lambda:GetFunction", std::string(kFn) + "any"),
            Decision::kImplicitDeny);

  CreateRole("reader");
  Attach("reader", "arn:aws:iam::aws:policy/IAMReadOnlyAccess");
  EXPECT_EQ(Decide("reader", "iam:ListRoles", "*"), Decision::kAllowed);
  EXPECT_EQ(Decide("reader", "iam:PutRolePolicy", "*"), Decision::kImplicitDeny);
}

TEST(ManagedPoliciesTest, EveryKnownDocumentParses) {
  ASSERT_FALSE(KnownManagedPolicies().empty());
  for (const ManagedPolicy& policy : KnownManagedPolicies()) {
    EXPECT_TRUE(policy.arn.starts_with("arn:aws:iam::aws:policy/")) << policy.arn;
    auto parsed = auth::Policy::Parse(policy.document);
    EXPECT_TRUE(parsed.ok()) << policy.arn << ": " << parsed.status().ToString();
    EXPECT_EQ(ManagedPolicyDocument(policy.arn), policy.document);
  }
  EXPECT_TRUE(ManagedPolicyDocument("arn:aws:iam::aws:policy/NoSuchPolicy").empty());
  EXPECT_TRUE(ManagedPolicyDocument("").empty());
}

TEST(ManagedPoliciesTest, ArnsAreUnique) {
  const auto& policies = KnownManagedPolicies();
  for (size_t i = 0; i < policies.size(); ++i) {
    for (size_t j = i + 1; j < policies.size(); ++j) {
      EXPECT_NE(policies[i].arn, policies[j].arn);
    }
  }
}

}  // namespace
}  // namespace lamina::services::iam
