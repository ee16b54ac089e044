#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "services/logs/filter_pattern.h"

namespace lamina::services::logs {
namespace {

// Which of `messages` `pattern` matches.
std::vector<std::string> Matching(const std::string& pattern,
                                  const std::vector<std::string>& messages) {
  auto parsed = FilterPattern::Parse(pattern);
  EXPECT_TRUE(parsed.ok()) << pattern << ": " << parsed.status().ToString();
  std::vector<std::string> out;
  if (!parsed.ok()) return out;
  for (const std::string& m : messages) {
    if (parsed->Matches(m)) out.push_back(m);
  }
  return out;
}

bool Matches(const std::string& pattern, const std::string& message) {
  return Matching(pattern, {message}).size() == 1;
}

std::string ErrorOf(const std::string& pattern) {
  auto parsed = FilterPattern::Parse(pattern);
  EXPECT_FALSE(parsed.ok()) << pattern << " parsed";
  if (parsed.ok()) return "";
  EXPECT_EQ(parsed.status().code(), Code::kInvalidArgument);
  return parsed.status().message();
}

const std::vector<std::string> kLines = {
    "[ERROR] A fatal exception has occurred",
    "Exiting with ERRORCODE: -1",
    "[WARN] disk almost full",
    "[INFO] all good",
    "error in lowercase",
};

TEST(LogsFilterPatternTest, EmptyAndBlankMatchEverything) {
  for (const char* pattern : {"", "   ", "\t\n"}) {
    auto parsed = FilterPattern::Parse(pattern);
    ASSERT_TRUE(parsed.ok());
    EXPECT_TRUE(parsed->matches_everything());
    EXPECT_TRUE(parsed->Matches("anything"));
  }
}

TEST(LogsFilterPatternTest, TermsAreCaseSensitiveSubstrings) {
  EXPECT_EQ(Matching("ERROR", kLines),
            (std::vector<std::string>{"[ERROR] A fatal exception has occurred",
                                      "Exiting with ERRORCODE: -1"}));
  EXPECT_EQ(Matching("error", kLines), std::vector<std::string>{"error in lowercase"});
}

TEST(LogsFilterPatternTest, TermsAreAnded) {
  EXPECT_EQ(Matching("ERROR Exiting", kLines),
            std::vector<std::string>{"Exiting with ERRORCODE: -1"});
  EXPECT_TRUE(Matching("ERROR nowhere", kLines).empty());
}

TEST(LogsFilterPatternTest, QuotedPhrasesMatchExactly) {
  EXPECT_EQ(Matching("\"fatal exception\"", kLines),
            std::vector<std::string>{"[ERROR] A fatal exception has occurred"});
  EXPECT_TRUE(Matching("\"exception fatal\"", kLines).empty());
  EXPECT_TRUE(Matches("\"[ERROR]\"", "[ERROR] x"));
  EXPECT_TRUE(Matches(R"("say \"hi\"")", R"(they say "hi" here)"));
  EXPECT_TRUE(Matches(R"("back\\slash")", R"(a back\slash)"));
}

TEST(LogsFilterPatternTest, QuestionMarkTermsAreAlternatives) {
  EXPECT_EQ(Matching("?ERROR ?WARN", kLines),
            (std::vector<std::string>{"[ERROR] A fatal exception has occurred",
                                      "Exiting with ERRORCODE: -1", "[WARN] disk almost full"}));
  // Each ? starts a group of ANDed terms, as the CDK's anyTermGroup writes them.
  EXPECT_EQ(Matching("?ERROR fatal ?WARN disk", kLines),
            (std::vector<std::string>{"[ERROR] A fatal exception has occurred",
                                      "[WARN] disk almost full"}));
  EXPECT_EQ(Matching("?\"all good\" ?lowercase", kLines),
            (std::vector<std::string>{"[INFO] all good", "error in lowercase"}));
}

TEST(LogsFilterPatternTest, MinusTermsExclude) {
  EXPECT_EQ(Matching("ERROR -Exiting", kLines),
            std::vector<std::string>{"[ERROR] A fatal exception has occurred"});
  EXPECT_EQ(Matching("-ERROR -WARN", kLines),
            (std::vector<std::string>{"[INFO] all good", "error in lowercase"}));
  EXPECT_EQ(Matching("-\"all good\" -ERROR -WARN", kLines),
            std::vector<std::string>{"error in lowercase"});
  EXPECT_EQ(Matching("?ERROR -fatal ?INFO", kLines),
            (std::vector<std::string>{"Exiting with ERRORCODE: -1", "[INFO] all good"}));
}

TEST(LogsFilterPatternTest, MalformedTermPatterns) {
  EXPECT_NE(ErrorOf("\"unterminated").find("unterminated quote"), std::string::npos);
  EXPECT_NE(ErrorOf("ERROR ?").find("not followed by a term"), std::string::npos);
  EXPECT_NE(ErrorOf("-").find("not followed by a term"), std::string::npos);
  EXPECT_NE(ErrorOf("ab\"c\"").find("unexpected quote"), std::string::npos);
  EXPECT_NE(ErrorOf("\"a\"b").find("expected a space"), std::string::npos);
}

TEST(LogsFilterPatternTest, UnsupportedForms) {
  EXPECT_NE(ErrorOf("[ip, user, status=404]").find("Space-delimited"), std::string::npos);
  EXPECT_NE(ErrorOf("%ERR.R%").find("Regular expression"), std::string::npos);
  // A lone % or a bracket inside a term is just a term.
  EXPECT_TRUE(Matches("100%", "cpu at 100%"));
  EXPECT_TRUE(Matches("a[1]", "value a[1] set"));
}

TEST(LogsFilterPatternTest, JsonStringEquality) {
  const std::vector<std::string> events = {
      R"({"level":"ERROR","msg":"boom"})",
      R"({"level":"INFO","msg":"ok"})",
      R"({"msg":"no level"})",
      R"({"level":5})",
      "ERROR but not json",
  };
  EXPECT_EQ(Matching(R"({ $.level = "ERROR" })", events),
            std::vector<std::string>{R"({"level":"ERROR","msg":"boom"})"});
  EXPECT_EQ(Matching("{$.level=ERROR}", events),
            std::vector<std::string>{R"({"level":"ERROR","msg":"boom"})"});
  // != needs the property; a value of another type is "not equal".
  EXPECT_EQ(Matching(R"({ $.level != "ERROR" })", events),
            (std::vector<std::string>{R"({"level":"INFO","msg":"ok"})", R"({"level":5})"}));
  EXPECT_EQ(Matching(R"({ $.msg = "no*" })", events),
            std::vector<std::string>{R"({"msg":"no level"})"});
  EXPECT_EQ(Matching(R"({ $.msg = "*o*" })", events).size(), 3u);
}

TEST(LogsFilterPatternTest, JsonNumbers) {
  const std::vector<std::string> events = {
      R"({"latency": 50, "status": 200})",
      R"({"latency": 150.5, "status": 500})",
      R"({"latency": "slow"})",
  };
  EXPECT_EQ(Matching("{ $.latency > 100 }", events),
            std::vector<std::string>{R"({"latency": 150.5, "status": 500})"});
  EXPECT_EQ(Matching("{ $.latency <= 50 }", events),
            std::vector<std::string>{R"({"latency": 50, "status": 200})"});
  EXPECT_EQ(Matching("{ $.status = 200 }", events),
            std::vector<std::string>{R"({"latency": 50, "status": 200})"});
  EXPECT_EQ(Matching("{ $.status != 200 }", events),
            std::vector<std::string>{R"({"latency": 150.5, "status": 500})"});
  EXPECT_EQ(Matching("{ $.latency >= 1.5e2 }", events).size(), 1u);
  EXPECT_EQ(Matching("{ $.latency > -1 }", events).size(), 2u);
}

TEST(LogsFilterPatternTest, JsonSelectorsAndLogic) {
  const std::string event =
      R"({"user":{"name":"ana","roles":["admin","dev"]},"ok":true,"gone":null,"n":3})";
  EXPECT_TRUE(Matches(R"({ $.user.name = "ana" })", event));
  EXPECT_TRUE(Matches(R"({ $.user.roles[1] = "dev" })", event));
  EXPECT_FALSE(Matches(R"({ $.user.roles[2] = "dev" })", event));
  EXPECT_TRUE(Matches("{ $.ok IS TRUE }", event));
  EXPECT_FALSE(Matches("{ $.ok IS FALSE }", event));
  EXPECT_TRUE(Matches("{ $.gone IS NULL }", event));
  EXPECT_TRUE(Matches("{ $.missing NOT EXISTS }", event));
  EXPECT_FALSE(Matches("{ $.user NOT EXISTS }", event));
  EXPECT_TRUE(Matches("{ $.user EXISTS }", event));
  EXPECT_TRUE(Matches(R"({ $.n = 3 && $.user.name = "ana" })", event));
  EXPECT_FALSE(Matches(R"({ $.n = 4 && $.user.name = "ana" })", event));
  EXPECT_TRUE(Matches(R"({ $.n = 4 || $.user.name = "ana" })", event));
  // && binds tighter than ||.
  EXPECT_TRUE(Matches(R"({ $.n = 3 || $.n = 4 && $.ok IS FALSE })", event));
  EXPECT_FALSE(Matches(R"({ ($.n = 3 || $.n = 4) && $.ok IS FALSE })", event));
  EXPECT_TRUE(Matches(R"({ (($.n > 1) && ($.n < 5)) })", event));
  EXPECT_TRUE(Matches(R"({ $.user.name = "a*" })", "  " + event + "  "));
  EXPECT_TRUE(Matches(R"({ $[0].a = 1 })", R"([{"a":1}])"));
}

TEST(LogsFilterPatternTest, MalformedJsonPatterns) {
  EXPECT_NE(ErrorOf("{ level = 1 }").find("'$'"), std::string::npos);
  EXPECT_NE(ErrorOf("{ $.a = 1").find("'}'"), std::string::npos);
  EXPECT_NE(ErrorOf("{ $.a 1 }").find("comparison operator"), std::string::npos);
  EXPECT_NE(ErrorOf("{ $.a > \"x\" }").find("compare numbers"), std::string::npos);
  EXPECT_NE(ErrorOf("{ $.a = \"x }").find("closing quote"), std::string::npos);
  EXPECT_NE(ErrorOf("{ $.a IS MAYBE }").find("TRUE, FALSE or NULL"), std::string::npos);
  EXPECT_NE(ErrorOf("{ $.a[x] = 1 }").find("array index"), std::string::npos);
  EXPECT_NE(ErrorOf("{ ($.a = 1 }").find("')'"), std::string::npos);
  EXPECT_NE(ErrorOf("{ $.a = 1 } extra").find("end of the pattern"), std::string::npos);
  EXPECT_TRUE(Matches("((", "a (( b"));  // outside braces, parentheses are just characters
  std::string deep = "{ " + std::string(40, '(') + "$.a = 1" + std::string(40, ')') + " }";
  EXPECT_NE(ErrorOf(deep).find("nested too deeply"), std::string::npos);
}

}  // namespace
}  // namespace lamina::services::logs
