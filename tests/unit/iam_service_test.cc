#include "services/iam/iam_service.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "common/uri.h"
#include "query_form.h"
#include "services/iam/sts_service.h"
#include "store/sqlite_store.h"

namespace lamina::services::iam {
namespace {

constexpr const char* kAccount = "000000000000";
constexpr const char* kLambdaTrust =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",)"
    R"("Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]})";
constexpr const char* kEc2Trust =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",)"
    R"("Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]})";

// The text of the first <tag>...</tag> in `xml`, or "<none>".
std::string Field(const std::string& xml, const std::string& tag) {
  size_t start = xml.find("<" + tag + ">");
  if (start == std::string::npos) return "<none>";
  start += tag.size() + 2;
  return xml.substr(start, xml.find("</" + tag + ">", start) - start);
}

size_t Count(const std::string& xml, const std::string& needle) {
  size_t n = 0;
  for (size_t at = xml.find(needle); at != std::string::npos; at = xml.find(needle, at + 1)) ++n;
  return n;
}

class IamServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir_template[] = "/tmp/lamina-iam-test-XXXXXX";
    ASSERT_NE(mkdtemp(dir_template), nullptr);
    dir_ = dir_template;
    Open();
    context_.request_id = "req-1";
    context_.account_id = kAccount;
    context_.principal_arn = "arn:aws:iam::000000000000:root";
    context_.user_id = kAccount;
  }
  void TearDown() override {
    service_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // (Re)opens the store and the service on the same database, like a daemon restart.
  void Open() {
    service_.reset();
    store_.reset();
    auto store = store::SqliteStore::Open(dir_ + "/lamina.db");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    service_ = std::make_unique<IamService>(store_.get(), &clock_);
  }

  http::HttpResponse Call(const Params& params) {
    http::HttpRequest request;
    request.method = "POST";
    request.target = request.path = "/";
    request.AddHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
    request.body = Form(params);
    return Send(std::move(request));
  }

  http::HttpResponse Send(http::HttpRequest request) {
    http::HttpResponse response;
    int calls = 0;
    service_->Handle(context_, std::move(request), [&](http::HttpResponse r) {
      response = std::move(r);
      ++calls;
    });
    EXPECT_EQ(calls, 1) << "respond must be called exactly once";
    return response;
  }

  http::HttpResponse CreateRole(const std::string& name, const std::string& trust = kLambdaTrust,
                                Params extra = {}) {
    Params params = {{"Action", "CreateRole"},
                     {"Version", "2010-05-08"},
                     {"RoleName", name},
                     {"AssumeRolePolicyDocument", trust}};
    params.insert(params.end(), extra.begin(), extra.end());
    return Call(params);
  }

  std::string dir_;
  FakeClock clock_{1795768910000};  // 2026-11-27T08:41:50Z
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<IamService> service_;
  http::CallContext context_;
};

TEST_F(IamServiceTest, CreateRoleReturnsTheRoleAsAwsDoes) {
  http::HttpResponse r = CreateRole("exec-role", kLambdaTrust,
                                    {{"Path", "/service-role/"},
                                     {"Description", "runs <things> & more"},
                                     {"MaxSessionDuration", "7200"},
                                     {"Tags.member.1.Key", "team"},
                                     {"Tags.member.1.Value", "platform"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(*r.Header("Content-Type"), "text/xml");
  EXPECT_TRUE(r.body.starts_with(
      "<CreateRoleResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><CreateRoleResult>"
      "<Role><Path>/service-role/</Path><RoleName>exec-role</RoleName>"))
      << r.body;
  EXPECT_TRUE(std::regex_match(Field(r.body, "RoleId"), std::regex("AROA[A-Z2-7]{17}")));
  EXPECT_EQ(Field(r.body, "Arn"), "arn:aws:iam::000000000000:role/service-role/exec-role");
  EXPECT_EQ(Field(r.body, "CreateDate"), "2026-11-27T08:41:50Z");
  EXPECT_EQ(Field(r.body, "AssumeRolePolicyDocument"), UriEncode(kLambdaTrust));
  EXPECT_EQ(Field(r.body, "Description"), "runs &lt;things&gt; &amp; more");
  EXPECT_EQ(Field(r.body, "MaxSessionDuration"), "7200");
  EXPECT_EQ(Field(r.body, "Tags"), "<member><Key>team</Key><Value>platform</Value></member>");
  EXPECT_EQ(Field(r.body, "RequestId"), "req-1");
}

TEST_F(IamServiceTest, GetRoleFindsTheRoleCaseInsensitivelyAndViaGet) {
  ASSERT_EQ(CreateRole("MyRole").status, 200);
  http::HttpResponse by_post = Call({{"Action", "GetRole"}, {"RoleName", "myrole"}});
  ASSERT_EQ(by_post.status, 200) << by_post.body;
  EXPECT_EQ(Field(by_post.body, "RoleName"), "MyRole");
  EXPECT_EQ(Field(by_post.body, "MaxSessionDuration"), "3600");
  EXPECT_EQ(Field(by_post.body, "Path"), "/");
  EXPECT_EQ(Field(by_post.body, "Description"), "<none>");

  http::HttpRequest get;
  get.method = "GET";
  get.path = "/";
  get.query = "Action=GetRole&Version=2010-05-08&RoleName=MyRole";
  get.target = "/?" + get.query;
  http::HttpResponse by_get = Send(std::move(get));
  EXPECT_EQ(by_get.status, 200) << by_get.body;
  EXPECT_EQ(Field(by_get.body, "RoleId"), Field(by_post.body, "RoleId"));
}

TEST_F(IamServiceTest, DuplicateRoleIsEntityAlreadyExists) {
  ASSERT_EQ(CreateRole("dup").status, 200);
  http::HttpResponse r = CreateRole("DUP");
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(Field(r.body, "Code"), "EntityAlreadyExists");
  EXPECT_EQ(Field(r.body, "Message"), "Role with name DUP already exists.");
}

TEST_F(IamServiceTest, ReportsEveryMissingParameterAtOnce) {
  http::HttpResponse r = Call({{"Action", "CreateRole"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Field(r.body, "Type"), "Sender");
  EXPECT_EQ(Field(r.body, "Code"), "ValidationError");
  EXPECT_EQ(Field(r.body, "Message"),
            "2 validation errors detected: Value null at 'roleName' failed to satisfy "
            "constraint: Member must not be null; Value null at 'assumeRolePolicyDocument' "
            "failed to satisfy constraint: Member must not be null");

  r = Call({{"Action", "GetRole"}});
  EXPECT_EQ(Field(r.body, "Message"),
            "1 validation error detected: Value null at 'roleName' failed to satisfy "
            "constraint: Member must not be null");
}

TEST_F(IamServiceTest, ValidatesNamesPathsAndRanges) {
  http::HttpResponse r =
      CreateRole("bad name", kLambdaTrust, {{"Path", "no-slash"}, {"MaxSessionDuration", "100"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Field(r.body, "Code"), "ValidationError");
  std::string message = Field(r.body, "Message");
  EXPECT_TRUE(message.starts_with("3 validation errors detected: ")) << message;
  EXPECT_NE(message.find("Value 'bad name' at 'roleName' failed to satisfy constraint: Member "
                         "must satisfy regular expression pattern: [\\w+=,.@-]+"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("at 'path'"), std::string::npos) << message;
  EXPECT_NE(message.find("Value '100' at 'maxSessionDuration' failed to satisfy constraint: "
                         "Member must have value greater than or equal to 3600"),
            std::string::npos)
      << message;

  r = CreateRole(std::string(65, 'a'));
  EXPECT_NE(Field(r.body, "Message").find("Member must have length less than or equal to 64"),
            std::string::npos);
  r = CreateRole("ok", kLambdaTrust, {{"MaxSessionDuration", "43201"}});
  EXPECT_EQ(Field(r.body, "Code"), "ValidationError");
  r = CreateRole("ok", kLambdaTrust, {{"MaxSessionDuration", "12x"}});
  EXPECT_EQ(Field(r.body, "Code"), "ValidationError");
}

TEST_F(IamServiceTest, PolicyDocumentsMustBeJson) {
  http::HttpResponse r = CreateRole("r", "{not json");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Field(r.body, "Code"), "MalformedPolicyDocument");
  EXPECT_EQ(Field(r.body, "Message"), "This policy contains invalid Json");
  ASSERT_EQ(CreateRole("r").status, 200);
  r = Call({{"Action", "PutRolePolicy"},
            {"RoleName", "r"},
            {"PolicyName", "p"},
            {"PolicyDocument", "[]"}});
  EXPECT_EQ(Field(r.body, "Code"), "MalformedPolicyDocument");
}

TEST_F(IamServiceTest, DuplicateTagKeysAreInvalidInput) {
  http::HttpResponse r = CreateRole("r", kLambdaTrust,
                                    {{"Tags.member.1.Key", "Team"},
                                     {"Tags.member.1.Value", "a"},
                                     {"Tags.member.2.Key", "team"},
                                     {"Tags.member.2.Value", "b"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Field(r.body, "Code"), "InvalidInput");
}

TEST_F(IamServiceTest, UnknownAndMissingActions) {
  http::HttpResponse r = Call({{"Action", "CreateUser"}, {"Version", "2010-05-08"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Field(r.body, "Code"), "InvalidAction");
  EXPECT_EQ(Field(r.body, "Message"), "Could not find operation CreateUser for version 2010-05-08");
  r = Call({{"Version", "2010-05-08"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Field(r.body, "Code"), "MissingAction");
}

TEST_F(IamServiceTest, InlinePoliciesRoundTripUrlEncoded) {
  ASSERT_EQ(CreateRole("r").status, 200);
  const std::string document = R"({"Version": "2012-10-17", "Statement": []})";
  http::HttpResponse r = Call({{"Action", "PutRolePolicy"},
                               {"RoleName", "r"},
                               {"PolicyName", "logs"},
                               {"PolicyDocument", document}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Field(r.body, "PutRolePolicyResult"), "<none>");

  r = Call({{"Action", "GetRolePolicy"}, {"RoleName", "r"}, {"PolicyName", "logs"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Field(r.body, "PolicyDocument"), UriEncode(document));
  EXPECT_EQ(Field(r.body, "PolicyName"), "logs");

  r = Call({{"Action", "ListRolePolicies"}, {"RoleName", "r"}});
  EXPECT_EQ(Field(r.body, "PolicyNames"), "<member>logs</member>");
  EXPECT_EQ(Field(r.body, "IsTruncated"), "false");

  r = Call({{"Action", "GetRolePolicy"}, {"RoleName", "r"}, {"PolicyName", "nope"}});
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Field(r.body, "Message"), "The role policy with name nope cannot be found.");
  r = Call({{"Action", "PutRolePolicy"},
            {"RoleName", "ghost"},
            {"PolicyName", "p"},
            {"PolicyDocument", document}});
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Field(r.body, "Message"), "The role with name ghost cannot be found.");
}

TEST_F(IamServiceTest, DeleteRoleConflictsWhilePoliciesRemain) {
  ASSERT_EQ(CreateRole("r").status, 200);
  const std::string arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";
  ASSERT_EQ(Call({{"Action", "AttachRolePolicy"}, {"RoleName", "r"}, {"PolicyArn", arn}}).status,
            200);
  ASSERT_EQ(Call({{"Action", "PutRolePolicy"},
                  {"RoleName", "r"},
                  {"PolicyName", "p"},
                  {"PolicyDocument", "{}"}})
                .status,
            200);

  http::HttpResponse r = Call({{"Action", "DeleteRole"}, {"RoleName", "r"}});
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(Field(r.body, "Code"), "DeleteConflict");
  EXPECT_EQ(Field(r.body, "Message"), "Cannot delete entity, must delete policies first.");

  ASSERT_EQ(Call({{"Action", "DeleteRolePolicy"}, {"RoleName", "r"}, {"PolicyName", "p"}}).status,
            200);
  EXPECT_EQ(Call({{"Action", "DeleteRole"}, {"RoleName", "r"}}).status, 409) << "still attached";
  ASSERT_EQ(Call({{"Action", "DetachRolePolicy"}, {"RoleName", "r"}, {"PolicyArn", arn}}).status,
            200);
  r = Call({{"Action", "DeleteRole"}, {"RoleName", "r"}});
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Call({{"Action", "GetRole"}, {"RoleName", "r"}}).status, 404);
  EXPECT_EQ(Call({{"Action", "DeleteRole"}, {"RoleName", "r"}}).status, 404);
}

TEST_F(IamServiceTest, AttachedPoliciesListByPathAndRejectBadArns) {
  ASSERT_EQ(CreateRole("r").status, 200);
  for (const char* arn : {"arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
                          "arn:aws:iam::123456789012:policy/custom"}) {
    ASSERT_EQ(Call({{"Action", "AttachRolePolicy"}, {"RoleName", "r"}, {"PolicyArn", arn}}).status,
              200);
  }
  http::HttpResponse r = Call({{"Action", "ListAttachedRolePolicies"}, {"RoleName", "r"}});
  EXPECT_EQ(Count(r.body, "<member>"), 2u) << r.body;
  EXPECT_NE(r.body.find("<member><PolicyName>AWSLambdaBasicExecutionRole</PolicyName><PolicyArn>"
                        "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
                        "</PolicyArn></member>"),
            std::string::npos)
      << r.body;
  r = Call({{"Action", "ListAttachedRolePolicies"},
            {"RoleName", "r"},
            {"PathPrefix", "/service-role/"}});
  EXPECT_EQ(Count(r.body, "<member>"), 1u) << r.body;

  r = Call({{"Action", "AttachRolePolicy"},
            {"RoleName", "r"},
            {"PolicyArn", "arn:aws:s3:::not-a-policy-arn"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Field(r.body, "Code"), "InvalidInput");
  EXPECT_EQ(Field(r.body, "Message"), "ARN arn:aws:s3:::not-a-policy-arn is not valid.");
  r = Call({{"Action", "DetachRolePolicy"},
            {"RoleName", "r"},
            {"PolicyArn", "arn:aws:iam::aws:policy/Nope"}});
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Field(r.body, "Message"), "Policy arn:aws:iam::aws:policy/Nope was not found.");
}

TEST_F(IamServiceTest, ListRolesPaginatesAndFiltersByPath) {
  for (const char* name : {"a", "b", "c", "d", "e"}) ASSERT_EQ(CreateRole(name).status, 200);
  ASSERT_EQ(CreateRole("x", kLambdaTrust, {{"Path", "/team/"}}).status, 200);

  std::vector<std::string> seen;
  std::string marker;
  int pages = 0;
  while (true) {
    Params params = {{"Action", "ListRoles"}, {"MaxItems", "2"}};
    if (!marker.empty()) params.push_back({"Marker", marker});
    http::HttpResponse r = Call(params);
    ASSERT_EQ(r.status, 200) << r.body;
    ++pages;
    std::string roles = Field(r.body, "Roles");
    for (size_t at = roles.find("<RoleName>"); at != std::string::npos;
         at = roles.find("<RoleName>", at + 1)) {
      seen.push_back(Field(roles.substr(at), "RoleName"));
    }
    if (Field(r.body, "IsTruncated") == "false") {
      EXPECT_EQ(Field(r.body, "Marker"), "<none>");
      break;
    }
    marker = Field(r.body, "Marker");
    ASSERT_NE(marker, "<none>");
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b", "c", "d", "e", "x"}));

  http::HttpResponse r = Call({{"Action", "ListRoles"}, {"PathPrefix", "/team/"}});
  EXPECT_EQ(Count(r.body, "<member>"), 1u);
  EXPECT_EQ(Field(r.body, "RoleName"), "x");
  r = Call({{"Action", "ListRoles"}, {"MaxItems", "0"}});
  EXPECT_EQ(Field(r.body, "Code"), "ValidationError");
}

TEST_F(IamServiceTest, RolesSurviveReopeningTheStore) {
  ASSERT_EQ(CreateRole("durable").status, 200);
  ASSERT_EQ(Call({{"Action", "PutRolePolicy"},
                  {"RoleName", "durable"},
                  {"PolicyName", "p"},
                  {"PolicyDocument", "{}"}})
                .status,
            200);
  Open();
  EXPECT_EQ(Call({{"Action", "GetRole"}, {"RoleName", "durable"}}).status, 200);
  EXPECT_EQ(
      Call({{"Action", "GetRolePolicy"}, {"RoleName", "durable"}, {"PolicyName", "p"}}).status,
      200);
}

TEST_F(IamServiceTest, CanLambdaAssumeChecksArnAccountRoleAndTrust) {
  ASSERT_EQ(CreateRole("lambda-role").status, 200);
  ASSERT_EQ(CreateRole("ec2-role", kEc2Trust).status, 200);
  ASSERT_EQ(CreateRole("pathed", kLambdaTrust, {{"Path", "/service-role/"}}).status, 200);

  auto can = [this](const std::string& arn, const std::string& account = kAccount) {
    auto result = service_->CanLambdaAssume(arn, account);
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    return result.ok() && *result;
  };
  EXPECT_TRUE(can("arn:aws:iam::000000000000:role/lambda-role"));
  EXPECT_TRUE(can("arn:aws:iam::000000000000:role/service-role/pathed"));
  EXPECT_FALSE(can("arn:aws:iam::000000000000:role/pathed")) << "the path is part of the ARN";
  EXPECT_FALSE(can("arn:aws:iam::000000000000:role/ec2-role")) << "trust policy is for EC2";
  EXPECT_FALSE(can("arn:aws:iam::000000000000:role/missing"));
  EXPECT_FALSE(can("arn:aws:iam::123456789012:role/lambda-role")) << "another account";
  EXPECT_FALSE(can("arn:aws:iam::000000000000:role/lambda-role", "123456789012"));
  EXPECT_FALSE(can("not-an-arn"));

  Open();
  EXPECT_TRUE(can("arn:aws:iam::000000000000:role/lambda-role")) << "after a restart";
}

TEST(IamStsServiceTest, GetCallerIdentityAnswersFromTheContext) {
  FakeClock clock(1700000000000);
  auth::SessionCredentials sessions(std::string(32, 'k'), &clock);
  StsService sts(nullptr, &clock, &sessions);
  http::CallContext context;
  context.request_id = "req-9";
  context.principal_arn = "arn:aws:iam::000000000000:root";
  context.user_id = "000000000000";
  context.account_id = "000000000000";
  http::HttpRequest request;
  request.method = "POST";
  request.target = request.path = "/";
  request.body = "Action=GetCallerIdentity&Version=2011-06-15";
  http::HttpResponse response;
  sts.Handle(context, request, [&](http::HttpResponse r) { response = std::move(r); });
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body,
            "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
            "<GetCallerIdentityResult><Arn>arn:aws:iam::000000000000:root</Arn>"
            "<UserId>000000000000</UserId><Account>000000000000</Account>"
            "</GetCallerIdentityResult><ResponseMetadata><RequestId>req-9</RequestId>"
            "</ResponseMetadata></GetCallerIdentityResponse>");

  request.body = "Action=GetSessionToken&Version=2011-06-15";
  sts.Handle(context, request, [&](http::HttpResponse r) { response = std::move(r); });
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(Field(response.body, "Code"), "InvalidAction");

  request.body = "Action=AssumeRole&Version=2011-06-15";
  sts.Handle(context, request, [&](http::HttpResponse r) { response = std::move(r); });
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(Field(response.body, "Code"), "ValidationError");

  response = sts.RenderError(context, Unauthenticated("Missing Authentication Token",
                                                      "MissingAuthenticationTokenException"));
  EXPECT_EQ(response.status, 403);
  EXPECT_TRUE(response.body.starts_with(
      "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender"
      "</Type><Code>MissingAuthenticationToken</Code>"));
}

}  // namespace
}  // namespace lamina::services::iam
