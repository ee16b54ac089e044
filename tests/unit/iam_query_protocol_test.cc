#include <gtest/gtest.h>

#include <string>

#include "common/xml_writer.h"
#include "services/iam/iam_errors.h"
#include "services/iam/query_protocol.h"

namespace lamina::services::iam {
namespace {

using namespace std::string_literals;

constexpr QueryApi kApi{"https://iam.amazonaws.com/doc/2010-05-08/", "2010-05-08"};

TEST(IamXmlEscapeTest, EscapesMarkupCharacters) {
  EXPECT_EQ(XmlEscape(""), "");
  EXPECT_EQ(XmlEscape("plain text /+=,.@-_"), "plain text /+=,.@-_");
  EXPECT_EQ(XmlEscape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c'");
  EXPECT_EQ(XmlEscape("&amp;"), "&amp;amp;") << "already-escaped text is escaped again";
}

TEST(IamXmlEscapeTest, KeepsWhitespaceAndUtf8ButNotBareControls) {
  EXPECT_EQ(XmlEscape("a\tb\nc"), "a\tb\nc");
  EXPECT_EQ(XmlEscape("a\rb"), "a&#13;b") << "a raw CR would be read back as LF";
  EXPECT_EQ(XmlEscape("\xE2\x82\xAC \xF0\x9F\x98\x80"), "\xE2\x82\xAC \xF0\x9F\x98\x80");
  EXPECT_EQ(XmlEscape("a\x01z"), "a\xEF\xBF\xBDz");
  EXPECT_EQ(XmlEscape("\0"s), "\xEF\xBF\xBD");
}

TEST(IamXmlWriterTest, NestsAndClosesEverythingOnFinish) {
  XmlWriter xml;
  xml.Open("A", "urn:x");
  xml.Element("B", "1 < 2");
  xml.Open("C");
  xml.Element("D", "");
  EXPECT_EQ(xml.Finish(), "<A xmlns=\"urn:x\"><B>1 &lt; 2</B><C><D></D></C></A>");
}

TEST(IamQueryResultTest, WrapsResultAndRequestId) {
  std::string result = "<Role><RoleName>r</RoleName></Role>";
  http::HttpResponse r = RenderQueryResult(kApi, "GetRole", &result, "req-1");
  EXPECT_EQ(r.status, 200);
  ASSERT_NE(r.Header("content-type"), nullptr);
  EXPECT_EQ(*r.Header("content-type"), "text/xml");
  EXPECT_EQ(r.body,
            "<GetRoleResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"
            "<GetRoleResult><Role><RoleName>r</RoleName></Role></GetRoleResult>"
            "<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>"
            "</GetRoleResponse>");
}

TEST(IamQueryResultTest, OperationWithoutOutputHasNoResultElement) {
  http::HttpResponse r = RenderQueryResult(kApi, "DeleteRole", nullptr, "req-2");
  EXPECT_EQ(r.body,
            "<DeleteRoleResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"
            "<ResponseMetadata><RequestId>req-2</RequestId></ResponseMetadata>"
            "</DeleteRoleResponse>");
}

TEST(IamQueryErrorTest, RendersSenderErrorEnvelope) {
  http::HttpResponse r = RenderQueryError(kApi, NoSuchRole("x<y"), "req-3");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(*r.Header("content-type"), "text/xml");
  EXPECT_EQ(r.body,
            "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error>"
            "<Type>Sender</Type><Code>NoSuchEntity</Code>"
            "<Message>The role with name x&lt;y cannot be found.</Message></Error>"
            "<RequestId>req-3</RequestId></ErrorResponse>");
}

TEST(IamQueryErrorTest, ServerErrorsAreReceiverErrors) {
  http::HttpResponse r = RenderQueryError(kApi, Internal("disk on fire"), "req-4");
  EXPECT_EQ(r.status, 500);
  EXPECT_NE(r.body.find("<Type>Receiver</Type><Code>ServiceFailure</Code>"), std::string::npos);
}

struct WireCase {
  Status status;
  std::string code;
  int http_status;
};

TEST(IamQueryErrorTest, MapsEdgeAuthErrorsToQueryProtocolNames) {
  const WireCase cases[] = {
      {Unauthenticated("m", "MissingAuthenticationTokenException"), "MissingAuthenticationToken",
       403},
      {Unauthenticated("m", "IncompleteSignatureException"), "IncompleteSignature", 403},
      {Unauthenticated("m", "InvalidSignatureException"), "SignatureDoesNotMatch", 403},
      {Unauthenticated("m", "UnrecognizedClientException"), "InvalidClientTokenId", 403},
      {InvalidArgument("m", "XAmzContentSHA256Mismatch"), "XAmzContentSHA256Mismatch", 400},
  };
  for (const WireCase& c : cases) {
    WireError wire = ToWireError(c.status);
    EXPECT_EQ(wire.code, c.code) << c.status.ToString();
    EXPECT_EQ(wire.http_status, c.http_status) << c.status.ToString();
  }
}

TEST(IamQueryErrorTest, NamesErrorsByAwsTypeElseByCode) {
  const WireCase cases[] = {
      {EntityAlreadyExists("m"), "EntityAlreadyExists", 409},
      {DeleteConflict("m"), "DeleteConflict", 409},
      {MalformedPolicyDocument("m"), "MalformedPolicyDocument", 400},
      {InvalidInput("m"), "InvalidInput", 400},
      {ValidationError("m"), "ValidationError", 400},
      {NotFound("m"), "NoSuchEntity", 404},
      {AlreadyExists("m"), "EntityAlreadyExists", 409},
      {InvalidArgument("m"), "ValidationError", 400},
      {Internal("m"), "ServiceFailure", 500},
      {TooLarge("m"), "RequestEntityTooLarge", 413},
      {TooLarge("m", "RequestEntityTooLargeException"), "RequestEntityTooLargeException", 413},
      {Status(Code::kUnavailable, "m"), "ServiceUnavailable", 503},
      {Status(Code::kResourceExhausted, "m"), "Throttling", 400},
      {Status(Code::kPermissionDenied, "m"), "AccessDenied", 403},
  };
  for (const WireCase& c : cases) {
    WireError wire = ToWireError(c.status);
    EXPECT_EQ(wire.code, c.code) << c.status.ToString();
    EXPECT_EQ(wire.http_status, c.http_status) << c.status.ToString();
  }
}

http::HttpRequest FormPost(std::string body, std::string query = "") {
  http::HttpRequest request;
  request.method = "POST";
  request.path = "/";
  request.query = std::move(query);
  request.target = request.query.empty() ? "/" : "/?" + request.query;
  request.AddHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
  request.body = std::move(body);
  return request;
}

TEST(IamQueryArgsTest, DecodesFormBodyWithPlusAsSpace) {
  auto args = QueryArgs::Parse(FormPost("Action=GetRole&RoleName=a%2Bb&Description=x+y&Empty="));
  ASSERT_TRUE(args.ok()) << args.status().ToString();
  EXPECT_EQ(*args->Find("RoleName"), "a+b");
  EXPECT_EQ(*args->Find("Description"), "x y");
  EXPECT_EQ(*args->Find("Empty"), "");
  EXPECT_EQ(args->Find("Missing"), nullptr);
}

TEST(IamQueryArgsTest, BodyWinsOverQueryString) {
  auto args = QueryArgs::Parse(FormPost("RoleName=body", "RoleName=query&Action=GetRole"));
  ASSERT_TRUE(args.ok());
  EXPECT_EQ(*args->Find("RoleName"), "body");
  EXPECT_EQ(*args->Find("Action"), "GetRole");
}

TEST(IamQueryArgsTest, ReadsGetQueryString) {
  http::HttpRequest request;
  request.method = "GET";
  request.query = "Action=ListRoles&Version=2010-05-08";
  request.body = "Action=Ignored";
  auto args = QueryArgs::Parse(request);
  ASSERT_TRUE(args.ok());
  EXPECT_EQ(*args->Find("Action"), "ListRoles");
}

TEST(IamQueryArgsTest, RejectsBadEscapesAndNonUtf8) {
  auto bad_escape = QueryArgs::Parse(FormPost("Action=%ZZ"));
  ASSERT_FALSE(bad_escape.ok());
  EXPECT_EQ(bad_escape.status().aws_type(), "MalformedQueryString");
  auto bad_utf8 = QueryArgs::Parse(FormPost("Action=GetRole&RoleName=%FF%FE"));
  ASSERT_FALSE(bad_utf8.ok());
  EXPECT_EQ(ToWireError(bad_utf8.status()).http_status, 400);
}

TEST(IamQueryArgsTest, RequestedActionChecksPresenceAndVersion) {
  auto missing = QueryArgs::Parse(FormPost("Version=2010-05-08"));
  ASSERT_TRUE(missing.ok());
  auto action = RequestedAction(*missing, kApi);
  ASSERT_FALSE(action.ok());
  EXPECT_EQ(action.status().aws_type(), "MissingAction");

  auto other_version = QueryArgs::Parse(FormPost("Action=GetRole&Version=2011-06-15"));
  action = RequestedAction(*other_version, kApi);
  ASSERT_FALSE(action.ok());
  EXPECT_EQ(action.status().aws_type(), "InvalidAction");
  EXPECT_EQ(action.status().message(), "Could not find operation GetRole for version 2011-06-15");

  auto good = QueryArgs::Parse(FormPost("Action=GetRole&Version=2010-05-08"));
  action = RequestedAction(*good, kApi);
  ASSERT_TRUE(action.ok());
  EXPECT_EQ(*action, "GetRole");

  Status unknown = UnknownAction(kApi, "Frobnicate");
  EXPECT_EQ(unknown.aws_type(), "InvalidAction");
  EXPECT_EQ(unknown.message(), "Could not find operation Frobnicate for version 2010-05-08");
}

}  // namespace
}  // namespace lamina::services::iam
