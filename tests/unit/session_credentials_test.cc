#include "auth/session_credentials.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <optional>
#include <regex>
#include <string>

#include "auth/sigv4.h"
#include "common/crypto.h"
#include "common/file_util.h"
#include "common/time_format.h"
#include "common/uri.h"
#include "http/message.h"
#include "scoped_temp_dir.h"

namespace lamina::auth {
namespace {

constexpr int64_t kNow = 1795768910000;  // 2026-11-27T08:41:50Z
constexpr int64_t kHour = 3600 * 1000;

SessionClaims Claims(int64_t expires_ms = kNow + kHour) {
  SessionClaims claims;
  claims.account_id = "000000000000";
  claims.role_name = "exec-role";
  claims.role_path = "/service-role/";
  claims.role_id = "AROAEXAMPLEROLEID0001";
  claims.session_name = "my-session";
  claims.expires_ms = expires_ms;
  return claims;
}

int ModeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

// The token's bytes: the claims JSON followed by the 32-byte MAC.
std::string Decode(const std::string& token) {
  std::string raw;
  EXPECT_TRUE(Base64Decode(token, raw)) << token;
  return raw;
}

void ExpectStatus(const StatusOr<Credential>& found, const std::string& aws_type) {
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), Code::kUnauthenticated);
  EXPECT_EQ(found.status().aws_type(), aws_type) << found.status().ToString();
}

class SessionCredentialsTest : public ::testing::Test {
 protected:
  FakeClock clock_{kNow};
  SessionCredentials sessions_{std::string(32, 'k'), &clock_};
};

TEST_F(SessionCredentialsTest, IssueMakesAnAsiaKeyForTheAssumedRole) {
  Credential c = sessions_.Issue(Claims());
  EXPECT_TRUE(std::regex_match(c.access_key_id, std::regex("ASIA[A-Z2-7]{16}"))) << c.access_key_id;
  EXPECT_EQ(c.secret_access_key.size(), 40u);
  EXPECT_EQ(c.principal_arn, "arn:aws:sts::000000000000:assumed-role/exec-role/my-session");
  EXPECT_EQ(c.user_id, "AROAEXAMPLEROLEID0001:my-session");
  EXPECT_EQ(c.role_name, "exec-role");
  EXPECT_EQ(c.expires_ms, kNow + kHour);
  EXPECT_FALSE(c.session_token.empty());
  EXPECT_EQ(AssumedRoleArn(Claims()), c.principal_arn);

  Credential other = sessions_.Issue(Claims());
  EXPECT_NE(other.access_key_id, c.access_key_id) << "every Issue makes a fresh key";
  EXPECT_NE(other.secret_access_key, c.secret_access_key);
  EXPECT_NE(other.session_token, c.session_token);
}

TEST_F(SessionCredentialsTest, FindSessionRoundTripsWhatIssueMade) {
  Credential issued = sessions_.Issue(Claims());
  auto found = sessions_.FindSession(issued.access_key_id, issued.session_token);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->access_key_id, issued.access_key_id);
  EXPECT_EQ(found->secret_access_key, issued.secret_access_key);
  EXPECT_EQ(found->principal_arn, "arn:aws:sts::000000000000:assumed-role/exec-role/my-session");
  EXPECT_EQ(found->user_id, "AROAEXAMPLEROLEID0001:my-session");
  EXPECT_EQ(found->role_name, "exec-role");
  EXPECT_EQ(found->session_token, issued.session_token);
  EXPECT_EQ(found->expires_ms, kNow + kHour);
}

TEST_F(SessionCredentialsTest, SessionsAreNotLongTermKeys) {
  Credential issued = sessions_.Issue(Claims());
  EXPECT_FALSE(sessions_.Find(issued.access_key_id)) << "a session key needs its token";
}

TEST_F(SessionCredentialsTest, ExpiredTokenIsExpiredTokenException) {
  Credential issued = sessions_.Issue(Claims());
  clock_.Set(kNow + kHour - 1);
  EXPECT_TRUE(sessions_.FindSession(issued.access_key_id, issued.session_token).ok())
      << "valid until the last millisecond";
  clock_.Set(kNow + kHour);
  auto expired = sessions_.FindSession(issued.access_key_id, issued.session_token);
  ExpectStatus(expired, "ExpiredTokenException");
  EXPECT_EQ(expired.status().message(), "The security token included in the request is expired");
  clock_.Set(kNow + 10 * kHour);
  ExpectStatus(sessions_.FindSession(issued.access_key_id, issued.session_token),
               "ExpiredTokenException");
}

TEST_F(SessionCredentialsTest, FlippedByteAnywhereInTheTokenIsUnrecognized) {
  Credential issued = sessions_.Issue(Claims());
  std::string raw = Decode(issued.session_token);
  // A byte of the claims, the first and the last byte of the MAC.
  for (size_t at : {size_t{0}, raw.size() / 2, raw.size() - 32, raw.size() - 1}) {
    std::string tampered = raw;
    tampered[at] ^= 0x01;
    auto found = sessions_.FindSession(issued.access_key_id, Base64Encode(tampered));
    ExpectStatus(found, "UnrecognizedClientException");
    EXPECT_EQ(found.status().message(), "The security token included in the request is invalid.");
  }
}

TEST_F(SessionCredentialsTest, ReEncodedClaimsWithTheOldMacAreUnrecognized) {
  // Lengthen the session far into the future, keeping the MAC of the original claims.
  Credential issued = sessions_.Issue(Claims());
  std::string raw = Decode(issued.session_token);
  std::string body = raw.substr(0, raw.size() - 32), mac = raw.substr(raw.size() - 32);
  std::string expiry = std::to_string(kNow + kHour);
  size_t at = body.find(expiry);
  ASSERT_NE(at, std::string::npos) << body;
  std::string longer = body;
  longer.replace(at, expiry.size(), std::to_string(kNow + 1000 * kHour));
  ExpectStatus(sessions_.FindSession(issued.access_key_id, Base64Encode(longer + mac)),
               "UnrecognizedClientException");

  // Another role name under the old MAC.
  std::string other_role = body;
  size_t name = other_role.find("exec-role");
  ASSERT_NE(name, std::string::npos);
  other_role.replace(name, 9, "admin-rol");
  ExpectStatus(sessions_.FindSession(issued.access_key_id, Base64Encode(other_role + mac)),
               "UnrecognizedClientException");

  // The untouched bytes still pass (the re-encoding itself is not what fails).
  EXPECT_TRUE(sessions_.FindSession(issued.access_key_id, Base64Encode(body + mac)).ok());
}

TEST_F(SessionCredentialsTest, TokenOfAnotherKeyIdIsUnrecognized) {
  Credential first = sessions_.Issue(Claims());
  Credential second = sessions_.Issue(Claims());
  ExpectStatus(sessions_.FindSession(first.access_key_id, second.session_token),
               "UnrecognizedClientException");
  ExpectStatus(sessions_.FindSession("ASIAAAAAAAAAAAAAAAAA", first.session_token),
               "UnrecognizedClientException");
  ExpectStatus(sessions_.FindSession("", first.session_token), "UnrecognizedClientException");
}

TEST_F(SessionCredentialsTest, TokenFromAnotherSessionKeyIsUnrecognized) {
  SessionCredentials other(std::string(32, 'x'), &clock_);
  Credential foreign = other.Issue(Claims());
  ASSERT_TRUE(other.FindSession(foreign.access_key_id, foreign.session_token).ok());
  ExpectStatus(sessions_.FindSession(foreign.access_key_id, foreign.session_token),
               "UnrecognizedClientException");

  Credential ours = sessions_.Issue(Claims());
  ExpectStatus(other.FindSession(ours.access_key_id, ours.session_token),
               "UnrecognizedClientException");
}

TEST_F(SessionCredentialsTest, SecretsDependOnTheSessionKey) {
  // The same key id under two session keys must not share a secret, or a foreign daemon's key
  // would sign for ours.
  SessionCredentials other(std::string(32, 'x'), &clock_);
  Credential ours = sessions_.Issue(Claims());
  Credential theirs = other.Issue(Claims());
  EXPECT_NE(ours.secret_access_key, theirs.secret_access_key);
}

TEST_F(SessionCredentialsTest, GarbageTokensAreUnrecognized) {
  Credential issued = sessions_.Issue(Claims());
  std::string raw = Decode(issued.session_token);
  for (const std::string& token : {std::string(), std::string("not base64 !!"), std::string("%%%%"),
                                   std::string("AAAA"),                  // decodes to 3 bytes
                                   Base64Encode(std::string(32, '\0')),  // no claims, only a "MAC"
                                   Base64Encode(std::string(64, 'z')),  // claims and MAC of nothing
                                   Base64Encode(raw.substr(0, raw.size() - 1)),  // MAC cut short
                                   Base64Encode(raw.substr(raw.size() - 32)),    // MAC alone
                                   issued.session_token.substr(0, issued.session_token.size() / 2),
                                   issued.session_token + "AAAA", std::string(4096, 'A')}) {
    ExpectStatus(sessions_.FindSession(issued.access_key_id, token), "UnrecognizedClientException");
  }
}

TEST_F(SessionCredentialsTest, TheMacCoversOnlyWhatTheDaemonSigned) {
  // A MAC'd document that is not a claims object (here: valid JSON of the wrong shape, forged
  // with the key) still names no key: rejected, no crash.
  std::string key(32, 'k');
  for (std::string body : {std::string("[]"), std::string("null"), std::string("{not json")}) {
    std::string token = Base64Encode(body + HmacSha256(key, "token\n" + body));
    ExpectStatus(sessions_.FindSession("ASIAAAAAAAAAAAAAAAAA", token),
                 "UnrecognizedClientException");
  }
}

TEST(SessionCredentialsLoadTest, LoadOrCreatePersistsAPrivateKey) {
  test_util::ScopedTempDir dir;
  FakeClock clock(kNow);
  std::string data_dir = dir.Join("data");
  auto first = SessionCredentials::LoadOrCreate(data_dir, &clock);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  std::string path = data_dir + "/session-key";
  EXPECT_EQ(ModeOf(path), 0600);
  std::string text;
  ASSERT_TRUE(ReadFile(path, text).ok());
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  std::string key;
  ASSERT_TRUE(Base64Decode(text.substr(0, text.size() - 1), key));
  EXPECT_EQ(key.size(), 32u);

  Credential issued = first->Issue(Claims());
  auto second = SessionCredentials::LoadOrCreate(data_dir, &clock);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  auto found = second->FindSession(issued.access_key_id, issued.session_token);
  ASSERT_TRUE(found.ok()) << "a token issued before the reload is still ours: "
                          << found.status().ToString();
  EXPECT_EQ(found->secret_access_key, issued.secret_access_key);
  std::string again;
  ASSERT_TRUE(ReadFile(path, again).ok());
  EXPECT_EQ(again, text) << "reloading does not rewrite the key";

  // The key made for the same claims by a SessionCredentials with that key matches.
  SessionCredentials direct(key, &clock);
  EXPECT_TRUE(direct.FindSession(issued.access_key_id, issued.session_token).ok());
}

TEST(SessionCredentialsLoadTest, EachDataDirGetsItsOwnKey) {
  test_util::ScopedTempDir dir;
  FakeClock clock(kNow);
  auto a = SessionCredentials::LoadOrCreate(dir.Join("a"), &clock);
  auto b = SessionCredentials::LoadOrCreate(dir.Join("b"), &clock);
  ASSERT_TRUE(a.ok() && b.ok());
  Credential issued = a->Issue(Claims());
  ExpectStatus(b->FindSession(issued.access_key_id, issued.session_token),
               "UnrecognizedClientException");
}

TEST(SessionCredentialsLoadTest, ACorruptKeyFileIsAnError) {
  test_util::ScopedTempDir dir;
  FakeClock clock(kNow);
  ASSERT_TRUE(WriteFileDurably(dir.Join("session-key"), "c2hvcnQ=\n", 0600).ok());  // "short"
  auto loaded = SessionCredentials::LoadOrCreate(dir.path(), &clock);
  EXPECT_FALSE(loaded.ok());
  ASSERT_TRUE(WriteFileDurably(dir.Join("session-key"), "!!! not base64\n", 0600).ok());
  EXPECT_FALSE(SessionCredentials::LoadOrCreate(dir.path(), &clock).ok());
}

// A long-term key the keyring knows besides the sessions.
class OneKey final : public CredentialProvider {
 public:
  Credential c{"LKIAEXAMPLEEXAMPLE00", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
               "arn:aws:iam::000000000000:root", "000000000000"};
  std::optional<Credential> Find(std::string_view id) const override {
    return id == c.access_key_id ? std::optional<Credential>(c) : std::nullopt;
  }
};

http::HttpRequest LambdaRequest() {
  http::HttpRequest r;
  r.method = "GET";
  r.path = "/2015-03-31/functions/my-fn";
  r.AddHeader("Host", "127.0.0.1:4566");
  return r;
}

class SessionSigV4Test : public SessionCredentialsTest {
 protected:
  StatusOr<Principal> SignAndVerify(const Credential& signer, const std::string& token_header) {
    http::HttpRequest r = LambdaRequest();
    if (!token_header.empty()) r.AddHeader("X-Amz-Security-Token", token_header);
    SignRequest(r, signer, "us-east-1", "lambda", clock_.NowMillis());
    VerifyOptions options;
    options.region = "us-east-1";
    return Verify(r, keyring_, clock_, options);
  }
  OneKey long_term_;
  Keyring keyring_{&long_term_, &sessions_};
};

TEST_F(SessionSigV4Test, SignedWithASessionVerifiesAsTheAssumedRole) {
  Credential issued = sessions_.Issue(Claims());
  auto principal = SignAndVerify(issued, issued.session_token);
  ASSERT_TRUE(principal.ok()) << principal.status().ToString();
  EXPECT_EQ(principal->access_key_id, issued.access_key_id);
  EXPECT_EQ(principal->arn, "arn:aws:sts::000000000000:assumed-role/exec-role/my-session");
  EXPECT_EQ(principal->user_id, "AROAEXAMPLEROLEID0001:my-session");
  EXPECT_EQ(principal->role_name, "exec-role");
}

TEST_F(SessionSigV4Test, LongTermKeysStillVerifyWithoutARole) {
  auto principal = SignAndVerify(long_term_.c, "");
  ASSERT_TRUE(principal.ok()) << principal.status().ToString();
  EXPECT_EQ(principal->arn, "arn:aws:iam::000000000000:root");
  EXPECT_EQ(principal->role_name, "");
}

TEST_F(SessionSigV4Test, SessionKeyWithoutItsTokenIsUnrecognized) {
  Credential issued = sessions_.Issue(Claims());
  auto principal = SignAndVerify(issued, "");
  ASSERT_FALSE(principal.ok());
  EXPECT_EQ(principal.status().aws_type(), "UnrecognizedClientException");
}

TEST_F(SessionSigV4Test, TamperedTokenIsUnrecognizedEvenWhenSigned) {
  Credential issued = sessions_.Issue(Claims());
  std::string raw = Decode(issued.session_token);
  raw[raw.size() / 2] ^= 0x01;
  auto principal = SignAndVerify(issued, Base64Encode(raw));
  ASSERT_FALSE(principal.ok());
  EXPECT_EQ(principal.status().aws_type(), "UnrecognizedClientException");
}

TEST_F(SessionSigV4Test, ExpiredSessionIsExpiredToken) {
  Credential issued = sessions_.Issue(Claims(kNow + 1000));
  clock_.Set(kNow + 2000);
  auto principal = SignAndVerify(issued, issued.session_token);
  ASSERT_FALSE(principal.ok());
  EXPECT_EQ(principal.status().aws_type(), "ExpiredTokenException");
}

TEST_F(SessionSigV4Test, WrongSecretWithAValidTokenIsInvalidSignature) {
  Credential issued = sessions_.Issue(Claims());
  Credential wrong = issued;
  wrong.secret_access_key = std::string(40, 'A');
  auto principal = SignAndVerify(wrong, issued.session_token);
  ASSERT_FALSE(principal.ok());
  EXPECT_EQ(principal.status().aws_type(), "InvalidSignatureException");
}

TEST_F(SessionSigV4Test, LongTermKeyWithASessionTokenIsUnrecognized) {
  // A token tells Verify to look among the sessions; the root key is not one.
  Credential issued = sessions_.Issue(Claims());
  auto principal = SignAndVerify(long_term_.c, issued.session_token);
  ASSERT_FALSE(principal.ok());
  EXPECT_EQ(principal.status().aws_type(), "UnrecognizedClientException");
}

// A presigned GET of `path` whose query carries X-Amz-Security-Token (PresignGet does not add
// one), signed with `credential` as botocore presigns.
http::HttpRequest PresignWithToken(const Credential& credential, const std::string& token,
                                   int64_t now_ms) {
  const std::string host = "127.0.0.1:4566", path = "/2015-03-31/functions/my-fn";
  std::string amz_date = FormatAmzDate(now_ms), date = amz_date.substr(0, 8);
  std::string query =
      "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" +
      UriEncode(credential.access_key_id + "/" + date + "/us-east-1/lambda/aws4_request") +
      "&X-Amz-Date=" + amz_date + "&X-Amz-Expires=300&X-Amz-Security-Token=" + UriEncode(token) +
      "&X-Amz-SignedHeaders=host";
  std::string canonical_query;
  EXPECT_TRUE(CanonicalQuery(query, "", canonical_query));
  std::string canonical = "GET\n" + CanonicalUri(path, false) + "\n" + canonical_query +
                          "\nhost:" + host + "\n\nhost\n" + HexEncode(Sha256(""));
  std::string string_to_sign = "AWS4-HMAC-SHA256\n" + amz_date + "\n" + date +
                               "/us-east-1/lambda/aws4_request\n" + HexEncode(Sha256(canonical));
  std::string signature = HexEncode(HmacSha256(
      SigningKey(credential.secret_access_key, date, "us-east-1", "lambda"), string_to_sign));
  http::HttpRequest r;
  r.method = "GET";
  r.path = path;
  r.query = query + "&X-Amz-Signature=" + signature;
  r.target = r.path + "?" + r.query;
  r.AddHeader("Host", host);
  return r;
}

TEST_F(SessionSigV4Test, PresignedWithTheTokenInTheQueryVerifiesAsTheAssumedRole) {
  Credential issued = sessions_.Issue(Claims());
  VerifyOptions options;
  options.region = "us-east-1";
  auto principal =
      Verify(PresignWithToken(issued, issued.session_token, kNow), keyring_, clock_, options);
  ASSERT_TRUE(principal.ok()) << principal.status().ToString();
  EXPECT_EQ(principal->arn, "arn:aws:sts::000000000000:assumed-role/exec-role/my-session");
  EXPECT_EQ(principal->role_name, "exec-role");

  std::string raw = Decode(issued.session_token);
  raw[0] ^= 0x01;
  auto tampered =
      Verify(PresignWithToken(issued, Base64Encode(raw), kNow), keyring_, clock_, options);
  ASSERT_FALSE(tampered.ok());
  EXPECT_EQ(tampered.status().aws_type(), "UnrecognizedClientException");
}

TEST_F(SessionSigV4Test, PresignedWithoutTheTokenIsUnrecognized) {
  Credential issued = sessions_.Issue(Claims());
  std::string target = PresignGet("127.0.0.1:4566", "/2015-03-31/functions/my-fn", issued,
                                  "us-east-1", "lambda", kNow, 300);
  http::HttpRequest r;
  r.method = "GET";
  r.target = target;
  size_t q = target.find('?');
  ASSERT_NE(q, std::string::npos) << target;
  r.path = target.substr(0, q);
  r.query = target.substr(q + 1);
  r.AddHeader("Host", "127.0.0.1:4566");
  VerifyOptions options;
  options.region = "us-east-1";
  auto principal = Verify(r, keyring_, clock_, options);
  ASSERT_FALSE(principal.ok());
  EXPECT_EQ(principal.status().aws_type(), "UnrecognizedClientException");
}

}  // namespace
}  // namespace lamina::auth
