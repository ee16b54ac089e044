// S3 bucket notifications: parsing and validating a NotificationConfiguration as boto3 sends it,
// rendering it back, and the event records an object event makes for the matching functions.
#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "services/s3/notifications.h"

namespace lamina::services::s3 {
namespace {

using json = nlohmann::json;

constexpr char kXmlns[] = "http://s3.amazonaws.com/doc/2006-03-01/";
constexpr char kArnA[] = "arn:aws:lambda:us-east-1:000000000000:function:thumbs";
constexpr char kArnB[] = "arn:aws:lambda:us-east-1:000000000000:function:cleanup";

// A NotificationConfiguration document around `inner`, as boto3 writes it.
std::string Document(const std::string& inner) {
  return std::string("<NotificationConfiguration xmlns=\"") + kXmlns + "\">" + inner +
         "</NotificationConfiguration>";
}

// One CloudFunctionConfiguration, boto3's element for a LambdaFunctionConfiguration.
std::string Function(const std::string& id, const std::string& arn,
                     std::initializer_list<const char*> events, const std::string& prefix = "",
                     const std::string& suffix = "") {
  std::string xml = "<CloudFunctionConfiguration>";
  if (!id.empty()) xml += "<Id>" + id + "</Id>";
  xml += "<CloudFunction>" + arn + "</CloudFunction>";
  for (const char* e : events) xml += std::string("<Event>") + e + "</Event>";
  if (!prefix.empty() || !suffix.empty()) {
    xml += "<Filter><S3Key>";
    if (!prefix.empty()) {
      xml += "<FilterRule><Name>prefix</Name><Value>" + prefix + "</Value></FilterRule>";
    }
    if (!suffix.empty()) {
      xml += "<FilterRule><Name>suffix</Name><Value>" + suffix + "</Value></FilterRule>";
    }
    xml += "</S3Key></Filter>";
  }
  return xml + "</CloudFunctionConfiguration>";
}

void ExpectRefused(const StatusOr<NotificationConfig>& parsed, const char* aws_type,
                   const std::string& what) {
  ASSERT_FALSE(parsed.ok()) << what << ": expected " << aws_type;
  EXPECT_EQ(parsed.status().code(), Code::kInvalidArgument) << what;
  EXPECT_EQ(parsed.status().aws_type(), aws_type) << what << ": " << parsed.status().ToString();
}

void ExpectSameConfig(const NotificationConfig& a, const NotificationConfig& b) {
  EXPECT_EQ(a.event_bridge, b.event_bridge);
  ASSERT_EQ(a.functions.size(), b.functions.size());
  for (size_t i = 0; i < a.functions.size(); ++i) {
    SCOPED_TRACE("function " + std::to_string(i));
    EXPECT_EQ(a.functions[i].id, b.functions[i].id);
    EXPECT_EQ(a.functions[i].function_arn, b.functions[i].function_arn);
    EXPECT_EQ(a.functions[i].events, b.functions[i].events);
    EXPECT_EQ(a.functions[i].prefix, b.functions[i].prefix);
    EXPECT_EQ(a.functions[i].suffix, b.functions[i].suffix);
  }
}

// --- ParseNotificationConfig -----------------------------------------------------------------

TEST(ParseNotificationConfig, ReadsTheDocumentBoto3Sends) {
  std::string xml =
      std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n") +
      Document(Function("photo-thumbs", kArnA, {"s3:ObjectCreated:*"}, "photos/", ".jpg"));
  auto parsed = ParseNotificationConfig(xml);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_FALSE(parsed->event_bridge);
  ASSERT_EQ(parsed->functions.size(), 1u);
  const FunctionNotification& f = parsed->functions[0];
  EXPECT_EQ(f.id, "photo-thumbs");
  EXPECT_EQ(f.function_arn, kArnA);
  EXPECT_EQ(f.events, std::vector<std::string>{"s3:ObjectCreated:*"});
  EXPECT_EQ(f.prefix, "photos/");
  EXPECT_EQ(f.suffix, ".jpg");
}

TEST(ParseNotificationConfig, ReadsSeveralEventsAndOnlyAPrefix) {
  auto parsed = ParseNotificationConfig(Document(
      Function("x", kArnA, {"s3:ObjectCreated:Put", "s3:ObjectRemoved:Delete"}, "photos/")));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->functions.size(), 1u);
  EXPECT_EQ(parsed->functions[0].events,
            (std::vector<std::string>{"s3:ObjectCreated:Put", "s3:ObjectRemoved:Delete"}));
  EXPECT_EQ(parsed->functions[0].prefix, "photos/");
  EXPECT_EQ(parsed->functions[0].suffix, "");
}

TEST(ParseNotificationConfig, ReadsTheRestDocumentsElementNames) {
  std::string xml = Document(
      "<LambdaFunctionConfiguration><Id>rest</Id><LambdaFunctionArn>" + std::string(kArnB) +
      "</LambdaFunctionArn><Event>s3:ObjectRemoved:*</Event></LambdaFunctionConfiguration>");
  auto parsed = ParseNotificationConfig(xml);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->functions.size(), 1u);
  EXPECT_EQ(parsed->functions[0].id, "rest");
  EXPECT_EQ(parsed->functions[0].function_arn, kArnB);
  EXPECT_EQ(parsed->functions[0].events, std::vector<std::string>{"s3:ObjectRemoved:*"});
}

TEST(ParseNotificationConfig, GeneratesIdsLeftOut) {
  auto parsed =
      ParseNotificationConfig(Document(Function("", kArnA, {"s3:ObjectCreated:*"}, "a/") +
                                       Function("", kArnB, {"s3:ObjectCreated:*"}, "b/")));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->functions.size(), 2u);
  EXPECT_FALSE(parsed->functions[0].id.empty());
  EXPECT_FALSE(parsed->functions[1].id.empty());
  EXPECT_NE(parsed->functions[0].id, parsed->functions[1].id);
}

TEST(ParseNotificationConfig, KeepsAnEventBridgeConfiguration) {
  auto parsed = ParseNotificationConfig(Document("<EventBridgeConfiguration/>"));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_TRUE(parsed->event_bridge);
  EXPECT_TRUE(parsed->functions.empty());
}

TEST(ParseNotificationConfig, EmptyBodiesClearTheConfiguration) {
  auto parsed = ParseNotificationConfig("");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_TRUE(parsed->functions.empty());
  EXPECT_FALSE(parsed->event_bridge);

  parsed = ParseNotificationConfig(Document(""));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_TRUE(parsed->functions.empty());
  EXPECT_FALSE(parsed->event_bridge);
}

TEST(ParseNotificationConfig, RefusesAnUnknownEventName) {
  ExpectRefused(ParseNotificationConfig(Document(Function("x", kArnA, {"s3:ObjectCreated:Bogus"}))),
                "InvalidArgument", "s3:ObjectCreated:Bogus");
  ExpectRefused(ParseNotificationConfig(Document(Function("x", kArnA, {"ObjectCreated:Put"}))),
                "InvalidArgument", "without s3:");
}

TEST(ParseNotificationConfig, RefusesBadFilterRules) {
  std::string two_prefixes =
      Document("<CloudFunctionConfiguration><Id>x</Id><CloudFunction>" + std::string(kArnA) +
               "</CloudFunction><Event>s3:ObjectCreated:*</Event><Filter><S3Key>"
               "<FilterRule><Name>prefix</Name><Value>a/</Value></FilterRule>"
               "<FilterRule><Name>Prefix</Name><Value>b/</Value></FilterRule>"
               "</S3Key></Filter></CloudFunctionConfiguration>");
  ExpectRefused(ParseNotificationConfig(two_prefixes), "InvalidArgument", "two prefix rules");

  std::string two_suffixes =
      Document("<CloudFunctionConfiguration><Id>x</Id><CloudFunction>" + std::string(kArnA) +
               "</CloudFunction><Event>s3:ObjectCreated:*</Event><Filter><S3Key>"
               "<FilterRule><Name>suffix</Name><Value>.jpg</Value></FilterRule>"
               "<FilterRule><Name>suffix</Name><Value>.png</Value></FilterRule>"
               "</S3Key></Filter></CloudFunctionConfiguration>");
  ExpectRefused(ParseNotificationConfig(two_suffixes), "InvalidArgument", "two suffix rules");

  std::string unknown_rule =
      Document("<CloudFunctionConfiguration><Id>x</Id><CloudFunction>" + std::string(kArnA) +
               "</CloudFunction><Event>s3:ObjectCreated:*</Event><Filter><S3Key>"
               "<FilterRule><Name>middle</Name><Value>x</Value></FilterRule>"
               "</S3Key></Filter></CloudFunctionConfiguration>");
  ExpectRefused(ParseNotificationConfig(unknown_rule), "InvalidArgument", "unknown rule name");
}

TEST(ParseNotificationConfig, RefusesQueueAndTopicDestinations) {
  std::string queue = Document(
      "<QueueConfiguration><Id>q</Id><Queue>arn:aws:sqs:us-east-1:000000000000:q</Queue>"
      "<Event>s3:ObjectCreated:*</Event></QueueConfiguration>");
  ExpectRefused(ParseNotificationConfig(queue), "InvalidArgument", "QueueConfiguration");

  std::string topic = Document(
      "<TopicConfiguration><Id>t</Id><Topic>arn:aws:sns:us-east-1:000000000000:t</Topic>"
      "<Event>s3:ObjectCreated:*</Event></TopicConfiguration>");
  ExpectRefused(ParseNotificationConfig(topic), "InvalidArgument", "TopicConfiguration");
}

TEST(ParseNotificationConfig, RefusesOverlappingConfigurations) {
  ExpectRefused(ParseNotificationConfig(Document(Function("a", kArnA, {"s3:ObjectCreated:*"}) +
                                                 Function("b", kArnB, {"s3:ObjectCreated:*"}))),
                "InvalidArgument", "same event, no filters");
  ExpectRefused(
      ParseNotificationConfig(Document(Function("a", kArnA, {"s3:ObjectCreated:*"}, "a/") +
                                       Function("b", kArnB, {"s3:ObjectCreated:Put"}, "a/b/"))),
      "InvalidArgument", "a wildcard covering an event, nested prefixes");
  ExpectRefused(ParseNotificationConfig(
                    Document(Function("a", kArnA, {"s3:ObjectRemoved:Delete"}, "", ".jpg") +
                             Function("b", kArnB, {"s3:ObjectRemoved:Delete"}, "", "a.jpg"))),
                "InvalidArgument", "same event, nested suffixes");
}

TEST(ParseNotificationConfig, AcceptsConfigurationsThatDoNotOverlap) {
  struct Case {
    const char* what;
    std::string xml;
  };
  std::vector<Case> cases = {
      {"disjoint prefixes", Document(Function("a", kArnA, {"s3:ObjectCreated:*"}, "a/") +
                                     Function("b", kArnB, {"s3:ObjectCreated:*"}, "b/"))},
      {"different families", Document(Function("a", kArnA, {"s3:ObjectCreated:*"}) +
                                      Function("b", kArnB, {"s3:ObjectRemoved:*"}))},
      {"different exact events", Document(Function("a", kArnA, {"s3:ObjectCreated:Put"}) +
                                          Function("b", kArnB, {"s3:ObjectCreated:Copy"}))},
      {"disjoint suffixes", Document(Function("a", kArnA, {"s3:ObjectCreated:*"}, "p/", ".jpg") +
                                     Function("b", kArnB, {"s3:ObjectCreated:*"}, "p/", ".png"))},
  };
  for (const Case& c : cases) {
    auto parsed = ParseNotificationConfig(c.xml);
    ASSERT_TRUE(parsed.ok()) << c.what << ": " << parsed.status().ToString();
    EXPECT_EQ(parsed->functions.size(), 2u) << c.what;
  }
}

TEST(ParseNotificationConfig, MalformedDocumentsAreMalformedXml) {
  std::vector<std::string> bodies = {
      "<NotificationConfiguration><CloudFunctionConfiguration>",  // not well-formed
      "this is not XML <",
      "<SomethingElse/>",    // another root
      Document("<Bogus/>"),  // an unknown element
      Document("<CloudFunctionConfiguration><Id>x</Id><Event>s3:ObjectCreated:*</Event>"
               "</CloudFunctionConfiguration>"),  // no function
      Document("<CloudFunctionConfiguration><Id>x</Id><CloudFunction>" + std::string(kArnA) +
               "</CloudFunction></CloudFunctionConfiguration>"),  // no event
  };
  for (const std::string& body : bodies) {
    ExpectRefused(ParseNotificationConfig(body), "MalformedXML", body);
  }
}

// --- RenderNotificationConfig ----------------------------------------------------------------

TEST(RenderNotificationConfig, ParsesBackToTheSameConfiguration) {
  NotificationConfig config;
  config.functions.push_back(
      {"one", kArnA, {"s3:ObjectCreated:Put", "s3:ObjectCreated:Copy"}, "in/&<odd>\"'", ".jpg"});
  config.functions.push_back({"two", kArnB, {"s3:ObjectRemoved:*"}, "", ""});
  config.functions.push_back({"three", kArnB, {"s3:ObjectCreated:*"}, "", ".png"});
  config.event_bridge = true;

  std::string xml = RenderNotificationConfig(config);
  EXPECT_NE(xml.find("<NotificationConfiguration"), std::string::npos) << xml;
  EXPECT_NE(xml.find(kXmlns), std::string::npos) << xml;
  auto parsed = ParseNotificationConfig(xml);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString() << "\n" << xml;
  ExpectSameConfig(*parsed, config);
}

TEST(RenderNotificationConfig, AnEmptyConfigurationParsesBackEmpty) {
  std::string xml = RenderNotificationConfig(NotificationConfig{});
  auto parsed = ParseNotificationConfig(xml);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString() << "\n" << xml;
  ExpectSameConfig(*parsed, NotificationConfig{});
}

TEST(RenderNotificationConfig, RoundTripsWhatWasParsed) {
  auto parsed = ParseNotificationConfig(
      Document(Function("p", kArnA, {"s3:ObjectCreated:*"}, "photos/", ".jpg") +
               Function("q", kArnB, {"s3:ObjectRemoved:Delete"}) + "<EventBridgeConfiguration/>"));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  auto again = ParseNotificationConfig(RenderNotificationConfig(*parsed));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  ExpectSameConfig(*again, *parsed);
}

// --- EventsFor -------------------------------------------------------------------------------

constexpr int64_t kTimeMs = 1700000000123;  // 2023-11-14T22:13:20.123Z

ObjectEvent Event(const std::string& name, const std::string& key) {
  ObjectEvent e;
  e.name = name;
  e.bucket = "photo-bucket";
  e.key = key;
  if (name.rfind("ObjectCreated:", 0) == 0) {
    e.size = 1024;
    e.etag = "0123456789abcdef0123456789abcdef";
  }
  e.time_ms = kTimeMs;
  e.region = "us-east-1";
  e.principal_id = "AIDAEXAMPLEUSERID";
  e.source_ip = "192.0.2.7";
  e.request_id = "C3D13FE58DE4C810";
  e.owner_id = "OWNEREXAMPLEID";
  e.trace_header = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1";
  return e;
}

FunctionNotification Notification(const std::string& id, const std::string& arn,
                                  std::vector<std::string> events, const std::string& prefix = "",
                                  const std::string& suffix = "") {
  return FunctionNotification{id, arn, std::move(events), prefix, suffix};
}

// The function ARNs the event goes to, in order.
std::vector<std::string> Targets(const NotificationConfig& config, const ObjectEvent& event) {
  std::vector<std::string> arns;
  for (const TargetEvent& t : EventsFor(config, event)) arns.push_back(t.function_arn);
  return arns;
}

TEST(EventsFor, AWildcardCoversItsFamilyOnly) {
  NotificationConfig config;
  config.functions.push_back(Notification("created", kArnA, {"s3:ObjectCreated:*"}));
  EXPECT_EQ(Targets(config, Event("ObjectCreated:Put", "k")), std::vector<std::string>{kArnA});
  EXPECT_EQ(Targets(config, Event("ObjectCreated:Copy", "k")), std::vector<std::string>{kArnA});
  EXPECT_EQ(Targets(config, Event("ObjectCreated:CompleteMultipartUpload", "k")),
            std::vector<std::string>{kArnA});
  EXPECT_TRUE(Targets(config, Event("ObjectRemoved:Delete", "k")).empty());
  EXPECT_TRUE(Targets(config, Event("ObjectTagging:Put", "k")).empty());
}

TEST(EventsFor, ExactNamesMatchExactly) {
  NotificationConfig config;
  config.functions.push_back(Notification("put", kArnA, {"s3:ObjectCreated:Put"}));
  config.functions.push_back(Notification("delete", kArnB, {"s3:ObjectRemoved:Delete"}));
  EXPECT_EQ(Targets(config, Event("ObjectCreated:Put", "k")), std::vector<std::string>{kArnA});
  EXPECT_TRUE(Targets(config, Event("ObjectCreated:Copy", "k")).empty());
  EXPECT_TRUE(Targets(config, Event("ObjectCreated:CompleteMultipartUpload", "k")).empty());
  EXPECT_EQ(Targets(config, Event("ObjectRemoved:Delete", "k")), std::vector<std::string>{kArnB});
  EXPECT_TRUE(Targets(config, Event("ObjectRemoved:DeleteMarkerCreated", "k")).empty());
}

TEST(EventsFor, PrefixAndSuffixFilterTheRawKey) {
  NotificationConfig config;
  config.functions.push_back(
      Notification("photos", kArnA, {"s3:ObjectCreated:*"}, "photos/", ".jpg"));
  EXPECT_EQ(Targets(config, Event("ObjectCreated:Put", "photos/cat.jpg")).size(), 1u);
  EXPECT_EQ(Targets(config, Event("ObjectCreated:Put", "photos/my cat.jpg")).size(), 1u);
  EXPECT_TRUE(Targets(config, Event("ObjectCreated:Put", "photos/cat.png")).empty());
  EXPECT_TRUE(Targets(config, Event("ObjectCreated:Put", "docs/cat.jpg")).empty());
  EXPECT_TRUE(Targets(config, Event("ObjectCreated:Put", "Photos/cat.jpg")).empty());
  EXPECT_TRUE(Targets(config, Event("ObjectCreated:Put", "photos")).empty());

  NotificationConfig suffix_only;
  suffix_only.functions.push_back(Notification("s", kArnB, {"s3:ObjectCreated:*"}, "", ".jpg"));
  EXPECT_EQ(Targets(suffix_only, Event("ObjectCreated:Put", "a/b/c.jpg")).size(), 1u);
  EXPECT_TRUE(Targets(suffix_only, Event("ObjectCreated:Put", "a/b/c.jpeg")).empty());
}

TEST(EventsFor, NothingMatchesAnEmptyConfiguration) {
  EXPECT_TRUE(EventsFor(NotificationConfig{}, Event("ObjectCreated:Put", "k")).empty());
}

TEST(EventsFor, EveryMatchingConfigurationGetsItsOwnInvocation) {
  NotificationConfig config;
  config.functions.push_back(Notification("a", kArnA, {"s3:ObjectCreated:*"}, "photos/"));
  config.functions.push_back(Notification("b", kArnB, {"s3:ObjectCreated:Put"}, "", ".jpg"));
  std::vector<TargetEvent> events = EventsFor(config, Event("ObjectCreated:Put", "photos/x.jpg"));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].function_arn, kArnA);
  EXPECT_EQ(events[1].function_arn, kArnB);
  json a = json::parse(events[0].payload);
  json b = json::parse(events[1].payload);
  EXPECT_EQ(a.at("Records").at(0).at("s3").at("configurationId").get<std::string>(), "a");
  EXPECT_EQ(b.at("Records").at(0).at("s3").at("configurationId").get<std::string>(), "b");
  // One object event: one sequencer, whichever function receives it.
  EXPECT_EQ(a.at("Records").at(0).at("s3").at("object").at("sequencer").get<std::string>(),
            b.at("Records").at(0).at("s3").at("object").at("sequencer").get<std::string>());
}

TEST(EventsFor, PayloadHasTheShapeOfS3EventRecords) {
  NotificationConfig config;
  config.functions.push_back(Notification("thumbs", kArnA, {"s3:ObjectCreated:*"}));
  std::vector<TargetEvent> events =
      EventsFor(config, Event("ObjectCreated:Put", "photos/my cat.jpg"));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].function_arn, kArnA);

  json payload = json::parse(events[0].payload);
  ASSERT_TRUE(payload.contains("Records"));
  ASSERT_TRUE(payload.at("Records").is_array());
  ASSERT_EQ(payload.at("Records").size(), 1u);
  json& r = payload.at("Records").at(0);
  EXPECT_EQ(r.at("eventVersion").get<std::string>(), "2.1");
  EXPECT_EQ(r.at("eventSource").get<std::string>(), "aws:s3");
  EXPECT_EQ(r.at("awsRegion").get<std::string>(), "us-east-1");
  EXPECT_EQ(r.at("eventTime").get<std::string>(), "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(r.at("eventName").get<std::string>(), "ObjectCreated:Put");
  EXPECT_EQ(r.at("userIdentity").at("principalId").get<std::string>(), "AIDAEXAMPLEUSERID");
  EXPECT_EQ(r.at("requestParameters").at("sourceIPAddress").get<std::string>(), "192.0.2.7");
  EXPECT_EQ(r.at("responseElements").at("x-amz-request-id").get<std::string>(), "C3D13FE58DE4C810");
  EXPECT_TRUE(r.at("responseElements").at("x-amz-id-2").is_string());

  json& s3 = r.at("s3");
  EXPECT_EQ(s3.at("s3SchemaVersion").get<std::string>(), "1.0");
  EXPECT_EQ(s3.at("configurationId").get<std::string>(), "thumbs");
  EXPECT_EQ(s3.at("bucket").at("name").get<std::string>(), "photo-bucket");
  EXPECT_EQ(s3.at("bucket").at("arn").get<std::string>(), "arn:aws:s3:::photo-bucket");
  EXPECT_EQ(s3.at("bucket").at("ownerIdentity").at("principalId").get<std::string>(),
            "OWNEREXAMPLEID");

  json& object = s3.at("object");
  EXPECT_EQ(object.at("key").get<std::string>(), EncodeEventKey("photos/my cat.jpg"));
  ASSERT_TRUE(object.at("size").is_number_unsigned()) << object.dump();
  EXPECT_EQ(object.at("size").get<uint64_t>(), 1024u);
  EXPECT_EQ(object.at("eTag").get<std::string>(), "0123456789abcdef0123456789abcdef");
  ASSERT_TRUE(object.at("sequencer").is_string());
  std::string sequencer = object.at("sequencer").get<std::string>();
  EXPECT_FALSE(sequencer.empty());
  EXPECT_EQ(sequencer.find_first_not_of("0123456789ABCDEF"), std::string::npos) << sequencer;
}

TEST(EventsFor, RemovedEventsCarryNoSizeOrETag) {
  NotificationConfig config;
  config.functions.push_back(Notification("removed", kArnB, {"s3:ObjectRemoved:*"}));
  ObjectEvent event = Event("ObjectRemoved:Delete", "old.txt");
  std::vector<TargetEvent> events = EventsFor(config, event);
  ASSERT_EQ(events.size(), 1u);
  json r = json::parse(events[0].payload).at("Records").at(0);
  EXPECT_EQ(r.at("eventName").get<std::string>(), "ObjectRemoved:Delete");
  const json& object = r.at("s3").at("object");
  EXPECT_EQ(object.at("key").get<std::string>(), "old.txt");
  EXPECT_TRUE(object.contains("sequencer"));
  EXPECT_FALSE(object.contains("size")) << object.dump();
  EXPECT_FALSE(object.contains("eTag")) << object.dump();
}

TEST(EventsFor, SequencersIncreaseFromEventToEvent) {
  NotificationConfig config;
  config.functions.push_back(Notification("all", kArnA, {"s3:ObjectCreated:*"}));
  auto sequencer_of = [&](int64_t time_ms) {
    ObjectEvent event = Event("ObjectCreated:Put", "k");
    event.time_ms = time_ms;
    std::vector<TargetEvent> events = EventsFor(config, event);
    EXPECT_EQ(events.size(), 1u);
    if (events.empty()) return std::string();
    return json::parse(events[0].payload)
        .at("Records")
        .at(0)
        .at("s3")
        .at("object")
        .at("sequencer")
        .get<std::string>();
  };
  std::string first = sequencer_of(kTimeMs);
  std::string second = sequencer_of(kTimeMs);  // the same millisecond
  std::string third = sequencer_of(kTimeMs + 1);
  // S3's rule: compare sequencers of one key as strings of equal length.
  ASSERT_EQ(first.size(), second.size());
  ASSERT_EQ(second.size(), third.size());
  EXPECT_LT(first, second);
  EXPECT_LT(second, third);
}

TEST(EventsFor, PassesTheTraceHeaderThrough) {
  NotificationConfig config;
  config.functions.push_back(Notification("all", kArnA, {"s3:ObjectCreated:*"}));
  ObjectEvent event = Event("ObjectCreated:Put", "k");
  std::vector<TargetEvent> events = EventsFor(config, event);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].trace_header, event.trace_header);

  event.trace_header.clear();
  events = EventsFor(config, event);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].trace_header, "");
}

// --- EncodeEventKey --------------------------------------------------------------------------

TEST(EncodeEventKey, EncodesLikeAFormButKeepsSlashes) {
  // Form encoding: letters, digits and - _ . * stay, a space becomes '+', every other byte %XX
  // in uppercase hex. '/' stays as it is: records AWS delivered carry keys such as
  // "logs/year%3D2026/month%3D01/..." ('=' encoded, '/' not).
  EXPECT_EQ(EncodeEventKey("a b/c+d"), "a+b/c%2Bd");
  EXPECT_EQ(EncodeEventKey("logs/year=2026/x.gz"), "logs/year%3D2026/x.gz");
}

TEST(EncodeEventKey, KeepsUnreservedCharacters) {
  EXPECT_EQ(EncodeEventKey("HappyFace.jpg"), "HappyFace.jpg");
  EXPECT_EQ(EncodeEventKey("AZaz09-_.*"), "AZaz09-_.*");
  EXPECT_EQ(EncodeEventKey(""), "");
}

TEST(EncodeEventKey, PercentEncodesEverythingElseInUppercaseHex) {
  EXPECT_EQ(EncodeEventKey("red flower.jpg"), "red+flower.jpg");
  EXPECT_EQ(EncodeEventKey("a+b"), "a%2Bb");
  EXPECT_EQ(EncodeEventKey("a&b=c?d#e%f:g,h;i@j$k"), "a%26b%3Dc%3Fd%23e%25f%3Ag%2Ch%3Bi%40j%24k");
  EXPECT_EQ(EncodeEventKey("caf\xc3\xa9"), "caf%C3%A9");
  EXPECT_EQ(EncodeEventKey(std::string("\x01\x7f", 2)), "%01%7F");
}

}  // namespace
}  // namespace lamina::services::s3
