#include "services/logs/logs_service.h"

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "common/clock.h"
#include "scoped_temp_dir.h"
#include "services/logs/sqlite_log_store.h"
#include "services/logs/tokens.h"

namespace lamina::services::logs {
namespace {

using nlohmann::json;

constexpr int64_t kNow = 1'700'000'000'000;

TEST(LogsTokensTest, PositionsPrintAs56Digits) {
  EventPosition p{kNow, 42};
  std::string digits = FormatPosition(p);
  EXPECT_EQ(digits.size(), 56u);
  EXPECT_EQ(digits,
            "000000"
            "1700000000000" +
                std::string(35, '0') + "42");
  EXPECT_EQ(ParsePosition(digits), p);
  EventPosition max{INT64_MAX, INT64_MAX};
  EXPECT_EQ(ParsePosition(FormatPosition(max)), max);
  EXPECT_FALSE(ParsePosition(digits.substr(1)).has_value());
  EXPECT_FALSE(ParsePosition(std::string(55, '0') + "x").has_value());
  EXPECT_FALSE(ParsePosition(std::string(18, '9') + "9" + std::string(37, '9')).has_value());
}

TEST(LogsTokensTest, StreamAndPageTokens) {
  StreamToken forward{true, {kNow, 7}};
  EXPECT_EQ(FormatStreamToken(forward).substr(0, 2), "f/");
  auto parsed = ParseStreamToken(FormatStreamToken(forward));
  ASSERT_TRUE(parsed.has_value());
  EXPECT_TRUE(parsed->forward);
  EXPECT_EQ(parsed->position, forward.position);
  parsed = ParseStreamToken(FormatStreamToken({false, {1, 2}}));
  ASSERT_TRUE(parsed.has_value());
  EXPECT_FALSE(parsed->forward);
  EXPECT_FALSE(ParseStreamToken("x/" + FormatPosition({1, 2})).has_value());
  EXPECT_FALSE(ParseStreamToken("f/123").has_value());

  std::string token = FormatPageToken("groups", "/aws/lambda/f");
  EXPECT_EQ(ParsePageToken("groups", token), "/aws/lambda/f");
  EXPECT_FALSE(ParsePageToken("streams", token).has_value());
  EXPECT_FALSE(ParsePageToken("groups", "not base64!").has_value());
  EXPECT_EQ(FormatSequenceToken(5), std::string(55, '0') + "5");
}

class LogsServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SqliteLogStoreOptions options;
    options.prune_interval_ms = 0;
    auto opened = SqliteLogStore::Open(dir_.Join("logs.db"), options, &clock_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
    service_ = std::make_unique<LogsService>(store_.get(), &clock_);
    context_.request_id = "req-1";
    context_.region = "us-east-1";
    context_.account_id = "000000000000";
  }

  http::HttpResponse Raw(const std::string& target, const std::string& body,
                         const std::string& method = "POST") {
    http::HttpRequest request;
    request.method = method;
    request.path = "/";
    request.target = "/";
    if (!target.empty()) request.AddHeader("X-Amz-Target", target);
    request.AddHeader("Content-Type", "application/x-amz-json-1.1");
    request.body = body;
    http::HttpResponse response;
    service_->Handle(context_, std::move(request),
                     [&response](http::HttpResponse r) { response = std::move(r); });
    return response;
  }

  // Calls an operation; returns the parsed body ({} when empty) and the status.
  json Call(const std::string& operation, const json& body, int* status = nullptr) {
    http::HttpResponse r = Raw("Logs_20140328." + operation, body.dump());
    if (status) *status = r.status;
    if (r.body.empty()) return json::object();
    json parsed = json::parse(r.body, nullptr, false);
    EXPECT_FALSE(parsed.is_discarded()) << r.body;
    return parsed;
  }

  json Ok(const std::string& operation, const json& body) {
    int status = 0;
    json out = Call(operation, body, &status);
    EXPECT_EQ(status, 200) << operation << ": " << out.dump();
    return out;
  }

  // The (__type, message) of an error answer.
  std::pair<std::string, std::string> Error(const std::string& operation, const json& body) {
    int status = 0;
    json out = Call(operation, body, &status);
    EXPECT_EQ(status, 400) << out.dump();
    return {out.value("__type", ""), out.value("message", "")};
  }

  void Put(const std::string& group, const std::string& stream, const json& events) {
    Ok("PutLogEvents", {{"logGroupName", group}, {"logStreamName", stream}, {"logEvents", events}});
  }

  test_util::ScopedTempDir dir_;
  FakeClock clock_{kNow};
  std::unique_ptr<SqliteLogStore> store_;
  std::unique_ptr<LogsService> service_;
  http::CallContext context_;
};

// Lines the invoke path handed to its buffering writer are in the store before any operation
// reads it: the service catches up first.
TEST_F(LogsServiceTest, OperationsCatchUpWithBufferedWritesFirst) {
  int catch_ups = 0;
  service_ = std::make_unique<LogsService>(store_.get(), &clock_, [&] {
    ++catch_ups;
    ASSERT_TRUE(store_->Append("/aws/lambda/f", "s", {{kNow, "buffered"}}).ok());
  });
  json got = Ok("GetLogEvents", {{"logGroupName", "/aws/lambda/f"}, {"logStreamName", "s"}});
  EXPECT_EQ(catch_ups, 1);
  ASSERT_EQ(got["events"].size(), 1u);
  EXPECT_EQ(got["events"][0]["message"], "buffered");
}

TEST_F(LogsServiceTest, ProtocolErrors) {
  http::HttpResponse r = Raw("", "{}");
  EXPECT_EQ(r.status, 400);
  ASSERT_NE(r.Header("x-amzn-ErrorType"), nullptr);
  EXPECT_EQ(*r.Header("x-amzn-ErrorType"), "UnknownOperationException");
  EXPECT_EQ(*r.Header("Content-Type"), "application/x-amz-json-1.1");

  r = Raw("Logs_20140328.StartQuery", "{}");
  EXPECT_EQ(json::parse(r.body)["__type"], "UnknownOperationException");

  r = Raw("Logs_20140328.CreateLogGroup", "{not json");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body)["__type"], "SerializationException");
  r = Raw("Logs_20140328.CreateLogGroup", "[1]");
  EXPECT_EQ(json::parse(r.body)["__type"], "SerializationException");
  // An empty body is an empty request.
  r = Raw("Logs_20140328.DescribeLogGroups", "");
  EXPECT_EQ(r.status, 200);
}

TEST_F(LogsServiceTest, ValidationErrorsAreReportedTogether) {
  auto [type, message] =
      Error("CreateLogStream", {{"logGroupName", "bad name!"}, {"logStreamName", "a:b"}});
  EXPECT_EQ(type, "InvalidParameterException");
  EXPECT_EQ(message,
            "2 validation errors detected: Value 'bad name!' at 'logGroupName' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+; "
            "Value 'a:b' at 'logStreamName' failed to satisfy constraint: Member must satisfy "
            "regular expression pattern: [^:*]*");
  std::tie(type, message) = Error("CreateLogGroup", json::object());
  EXPECT_EQ(message,
            "1 validation error detected: Value null at 'logGroupName' failed to satisfy "
            "constraint: Member must not be null");
  std::tie(type, message) = Error("DescribeLogGroups", {{"limit", 0}});
  EXPECT_EQ(message,
            "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
            "Member must have value greater than or equal to 1");
  std::tie(type, message) = Error("DescribeLogGroups", {{"limit", "ten"}});
  EXPECT_EQ(type, "InvalidParameterException");
  EXPECT_NE(message.find("Member must be an integer"), std::string::npos);
  std::tie(type, message) =
      Error("PutRetentionPolicy", {{"logGroupName", "g"}, {"retentionInDays", 2}});
  EXPECT_NE(message.find("Member must satisfy enum value set: [1, 3, 5, 7, 14, 30"),
            std::string::npos);
}

TEST_F(LogsServiceTest, GroupsLifecycleAndErrors) {
  EXPECT_EQ(Ok("CreateLogGroup", {{"logGroupName", "/aws/lambda/f"}}), json::object());
  auto [type, message] = Error("CreateLogGroup", {{"logGroupName", "/aws/lambda/f"}});
  EXPECT_EQ(type, "ResourceAlreadyExistsException");
  EXPECT_EQ(message, "The specified log group already exists");
  Ok("PutRetentionPolicy", {{"logGroupName", "/aws/lambda/f"}, {"retentionInDays", 14}});
  json groups = Ok("DescribeLogGroups", json::object())["logGroups"];
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0]["logGroupName"], "/aws/lambda/f");
  EXPECT_EQ(groups[0]["arn"], "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/f:*");
  EXPECT_EQ(groups[0]["logGroupArn"],
            "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/f");
  EXPECT_EQ(groups[0]["creationTime"], kNow);
  EXPECT_EQ(groups[0]["retentionInDays"], 14);
  EXPECT_EQ(groups[0]["storedBytes"], 0);
  Ok("DeleteRetentionPolicy", {{"logGroupName", "/aws/lambda/f"}});
  EXPECT_FALSE(Ok("DescribeLogGroups", json::object())["logGroups"][0].contains("retentionInDays"));
  Ok("DeleteLogGroup", {{"logGroupName", "/aws/lambda/f"}});
  std::tie(type, message) = Error("DeleteLogGroup", {{"logGroupName", "/aws/lambda/f"}});
  EXPECT_EQ(type, "ResourceNotFoundException");
  EXPECT_EQ(message, "The specified log group does not exist.");
}

TEST_F(LogsServiceTest, PutLogEventsChecksTheBatchAndReportsRejections) {
  Ok("CreateLogGroup", {{"logGroupName", "g"}});
  Ok("CreateLogStream", {{"logGroupName", "g"}, {"logStreamName", "s"}});
  auto [type, message] = Error(
      "PutLogEvents",
      {{"logGroupName", "g"},
       {"logStreamName", "s"},
       {"logEvents",
        {{{"timestamp", kNow}, {"message", "b"}}, {{"timestamp", kNow - 1}, {"message", "a"}}}}});
  EXPECT_EQ(message, "Log events in a single PutLogEvents request must be in chronological order.");
  std::tie(type, message) =
      Error("PutLogEvents",
            {{"logGroupName", "g"}, {"logStreamName", "s"}, {"logEvents", json::array()}});
  EXPECT_NE(message.find("at 'logEvents' failed to satisfy constraint: Member must have length "
                         "greater than or equal to 1"),
            std::string::npos);
  std::tie(type, message) =
      Error("PutLogEvents", {{"logGroupName", "g"},
                             {"logStreamName", "s"},
                             {"logEvents", {{{"timestamp", kNow}, {"message", ""}}}}});
  EXPECT_NE(message.find("at 'logEvents.1.member.message'"), std::string::npos);

  const int64_t day = 86'400'000;
  json out = Ok("PutLogEvents", {{"logGroupName", "g"},
                                 {"logStreamName", "s"},
                                 {"logEvents",
                                  {{{"timestamp", kNow - 15 * day}, {"message", "too old"}},
                                   {{"timestamp", kNow - 15 * day + 1}, {"message", "too old"}}}}});
  EXPECT_EQ(out["nextSequenceToken"].get<std::string>().size(), 56u);
  EXPECT_EQ(out["rejectedLogEventsInfo"], json({{"tooOldLogEventEndIndex", 1}}));
  out = Ok("PutLogEvents", {{"logGroupName", "g"},
                            {"logStreamName", "s"},
                            {"logEvents",
                             {{{"timestamp", kNow - 1}, {"message", "kept"}},
                              {{"timestamp", kNow + 3 * 3600 * 1000}, {"message", "future"}}}}});
  EXPECT_EQ(out["rejectedLogEventsInfo"], json({{"tooNewLogEventStartIndex", 1}}));
  std::tie(type, message) =
      Error("PutLogEvents", {{"logGroupName", "g"},
                             {"logStreamName", "s"},
                             {"logEvents",
                              {{{"timestamp", kNow - day - 1}, {"message", "a"}},
                               {{"timestamp", kNow}, {"message", "b"}}}}});
  EXPECT_EQ(message,
            "The batch of log events in a single PutLogEvents request cannot span more than 24 "
            "hours.");
  json events = Ok("GetLogEvents", {{"logGroupName", "g"}, {"logStreamName", "s"}})["events"];
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["message"], "kept");

  std::tie(type, message) =
      Error("PutLogEvents", {{"logGroupName", "g"},
                             {"logStreamName", "nope"},
                             {"logEvents", {{{"timestamp", kNow}, {"message", "x"}}}}});
  EXPECT_EQ(type, "ResourceNotFoundException");
  EXPECT_EQ(message, "The specified log stream does not exist.");
}

TEST_F(LogsServiceTest, GetLogEventsTokensWalkBothWaysAndStayPutAtTheEnds) {
  Ok("CreateLogGroup", {{"logGroupName", "g"}});
  Ok("CreateLogStream", {{"logGroupName", "g"}, {"logStreamName", "s"}});
  json batch = json::array();
  for (int i = 0; i < 5; ++i)
    batch.push_back({{"timestamp", kNow + i}, {"message", std::to_string(i)}});
  Put("g", "s", batch);

  json page = Ok("GetLogEvents", {{"logGroupName", "g"}, {"logStreamName", "s"}, {"limit", 2}});
  ASSERT_EQ(page["events"].size(), 2u);  // the newest two, oldest first
  EXPECT_EQ(page["events"][0]["message"], "3");
  EXPECT_EQ(page["events"][1]["message"], "4");
  json end =
      Ok("GetLogEvents",
         {{"logGroupName", "g"}, {"logStreamName", "s"}, {"nextToken", page["nextForwardToken"]}});
  EXPECT_TRUE(end["events"].empty());
  EXPECT_EQ(end["nextForwardToken"], page["nextForwardToken"]);
  json back = Ok("GetLogEvents", {{"logGroupName", "g"},
                                  {"logStreamName", "s"},
                                  {"limit", 2},
                                  {"nextToken", page["nextBackwardToken"]}});
  ASSERT_EQ(back["events"].size(), 2u);
  EXPECT_EQ(back["events"][0]["message"], "1");

  // Polling the forward token picks up what arrives later.
  Put("g", "s", {{{"timestamp", kNow + 10}, {"message", "later"}}});
  json more =
      Ok("GetLogEvents",
         {{"logGroupName", "g"}, {"logStreamName", "s"}, {"nextToken", end["nextForwardToken"]}});
  ASSERT_EQ(more["events"].size(), 1u);
  EXPECT_EQ(more["events"][0]["message"], "later");

  json head =
      Ok("GetLogEvents",
         {{"logGroupName", "g"}, {"logStreamName", "s"}, {"startFromHead", true}, {"limit", 1}});
  EXPECT_EQ(head["events"][0]["message"], "0");
  json before =
      Ok("GetLogEvents",
         {{"logGroupName", "g"}, {"logStreamName", "s"}, {"nextToken", head["nextBackwardToken"]}});
  EXPECT_TRUE(before["events"].empty());
  EXPECT_EQ(before["nextBackwardToken"], head["nextBackwardToken"]);
  json again = Ok("GetLogEvents", {{"logGroupName", "g"},
                                   {"logStreamName", "s"},
                                   {"limit", 1},
                                   {"nextToken", before["nextForwardToken"]}});
  EXPECT_EQ(again["events"][0]["message"], "0");

  auto [type, message] = Error(
      "GetLogEvents", {{"logGroupName", "g"}, {"logStreamName", "s"}, {"nextToken", "f/bogus"}});
  EXPECT_EQ(message, "The specified nextToken is invalid.");
  json empty_group = Ok("CreateLogStream", {{"logGroupName", "g"}, {"logStreamName", "empty"}});
  json nothing = Ok("GetLogEvents", {{"logGroupName", "g"}, {"logStreamName", "empty"}});
  EXPECT_TRUE(nothing["events"].empty());
  EXPECT_EQ(nothing["nextForwardToken"].get<std::string>().substr(0, 2), "f/");
  EXPECT_EQ(nothing["nextBackwardToken"].get<std::string>().substr(0, 2), "b/");
}

TEST_F(LogsServiceTest, GroupIdentifiers) {
  Ok("CreateLogGroup", {{"logGroupName", "g"}});
  Ok("CreateLogStream", {{"logGroupName", "g"}, {"logStreamName", "s"}});
  for (const char* id : {"g", "arn:aws:logs:us-east-1:000000000000:log-group:g"}) {
    json streams = Ok("DescribeLogStreams", {{"logGroupIdentifier", id}})["logStreams"];
    ASSERT_EQ(streams.size(), 1u) << id;
    EXPECT_EQ(streams[0]["arn"], "arn:aws:logs:us-east-1:000000000000:log-group:g:log-stream:s");
  }
  auto [type, message] =
      Error("DescribeLogStreams",
            {{"logGroupIdentifier", "arn:aws:logs:us-east-1:111111111111:log-group:g"}});
  EXPECT_EQ(type, "ResourceNotFoundException");
  std::tie(type, message) =
      Error("DescribeLogStreams", {{"logGroupName", "g"}, {"logGroupIdentifier", "g"}});
  EXPECT_EQ(type, "InvalidParameterException");
  std::tie(type, message) = Error("FilterLogEvents", json::object());
  EXPECT_EQ(type, "InvalidParameterException");
}

TEST_F(LogsServiceTest, FilterLogEventsPagesAndFilters) {
  Ok("CreateLogGroup", {{"logGroupName", "g"}});
  for (const char* stream : {"a", "b"}) {
    Ok("CreateLogStream", {{"logGroupName", "g"}, {"logStreamName", stream}});
  }
  Put("g", "a",
      {{{"timestamp", kNow}, {"message", "ERROR one"}},
       {{"timestamp", kNow + 2}, {"message", R"({"level":"ERROR"})"}}});
  Put("g", "b", {{{"timestamp", kNow + 1}, {"message", "INFO two"}}});

  json all = Ok("FilterLogEvents", {{"logGroupName", "g"}, {"interleaved", true}});
  ASSERT_EQ(all["events"].size(), 3u);
  EXPECT_EQ(all["events"][1]["logStreamName"], "b");
  EXPECT_EQ(all["events"][1]["eventId"].get<std::string>().size(), 56u);
  EXPECT_FALSE(all.contains("nextToken"));

  json errors = Ok("FilterLogEvents", {{"logGroupName", "g"}, {"filterPattern", "ERROR"}});
  EXPECT_EQ(errors["events"].size(), 2u);
  json structured =
      Ok("FilterLogEvents", {{"logGroupName", "g"}, {"filterPattern", R"({ $.level = "ERROR" })"}});
  ASSERT_EQ(structured["events"].size(), 1u);
  EXPECT_EQ(structured["events"][0]["timestamp"], kNow + 2);

  json first = Ok("FilterLogEvents", {{"logGroupName", "g"}, {"limit", 2}});
  ASSERT_EQ(first["events"].size(), 2u);
  ASSERT_TRUE(first.contains("nextToken"));
  json rest = Ok("FilterLogEvents",
                 {{"logGroupName", "g"}, {"limit", 2}, {"nextToken", first["nextToken"]}});
  ASSERT_EQ(rest["events"].size(), 1u);
  EXPECT_FALSE(rest.contains("nextToken"));

  auto [type, message] =
      Error("FilterLogEvents", {{"logGroupName", "g"}, {"filterPattern", "{ $.x = "}});
  EXPECT_EQ(type, "InvalidParameterException");
  std::tie(type, message) =
      Error("FilterLogEvents",
            {{"logGroupName", "g"}, {"logStreamNames", {"a"}}, {"logStreamNamePrefix", "a"}});
  EXPECT_EQ(type, "InvalidParameterException");
  std::tie(type, message) = Error("FilterLogEvents", {{"logGroupName", "missing"}});
  EXPECT_EQ(message, "The specified log group does not exist.");
}

}  // namespace
}  // namespace lamina::services::logs
