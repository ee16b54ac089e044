#include "services/s3/notifications.h"

#include <atomic>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "common/crypto.h"
#include "common/time_format.h"
#include "common/xml_writer.h"
#include "services/s3/s3_errors.h"

namespace lamina::services::s3 {
namespace {

constexpr std::string_view kEventTypes[] = {
    "s3:ObjectCreated:*",
    "s3:ObjectCreated:Put",
    "s3:ObjectCreated:Post",
    "s3:ObjectCreated:Copy",
    "s3:ObjectCreated:CompleteMultipartUpload",
    "s3:ObjectRemoved:*",
    "s3:ObjectRemoved:Delete",
    "s3:ObjectRemoved:DeleteMarkerCreated",
    "s3:ObjectRestore:*",
    "s3:ObjectRestore:Post",
    "s3:ObjectRestore:Completed",
    "s3:ObjectRestore:Delete",
    "s3:ReducedRedundancyLostObject",
    "s3:Replication:*",
    "s3:Replication:OperationFailedReplication",
    "s3:Replication:OperationMissedThreshold",
    "s3:Replication:OperationReplicatedAfterThreshold",
    "s3:Replication:OperationNotTracked",
    "s3:LifecycleExpiration:*",
    "s3:LifecycleExpiration:Delete",
    "s3:LifecycleExpiration:DeleteMarkerCreated",
    "s3:LifecycleTransition",
    "s3:IntelligentTiering",
    "s3:ObjectTagging:*",
    "s3:ObjectTagging:Put",
    "s3:ObjectTagging:Delete",
    "s3:ObjectAcl:Put",
};

bool IsEventType(std::string_view name) {
  for (std::string_view t : kEventTypes) {
    if (t == name) return true;
  }
  return false;
}

// Whether configured type `pattern` ("s3:ObjectCreated:*") covers event `name`
// ("ObjectCreated:Put").
bool Covers(std::string_view pattern, std::string_view name) {
  if (pattern.substr(0, 3) != "s3:") return false;
  pattern.remove_prefix(3);
  if (pattern.size() >= 2 && pattern.substr(pattern.size() - 2) == ":*") {
    std::string_view family = pattern.substr(0, pattern.size() - 1);  // "ObjectCreated:"
    return name.substr(0, family.size()) == family;
  }
  return pattern == name;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// A per-process sequencer that grows with every event: hex, as S3's.
std::string NextSequencer(int64_t time_ms) {
  static std::atomic<uint64_t> counter{0};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%012llX%06llX", static_cast<unsigned long long>(time_ms),
                static_cast<unsigned long long>(counter.fetch_add(1) & 0xFFFFFF));
  return buf;
}

}  // namespace

StatusOr<NotificationConfig> ParseNotificationConfig(std::string_view xml) {
  NotificationConfig out;
  pugi::xml_document doc;
  if (xml.empty()) return out;  // an empty body clears the configuration
  if (!doc.load_buffer(xml.data(), xml.size())) return MalformedXml();
  pugi::xml_node root = doc.child("NotificationConfiguration");
  if (!root) return MalformedXml();
  for (pugi::xml_node child : root.children()) {
    std::string_view name = child.name();
    if (name == "QueueConfiguration" || name == "TopicConfiguration") {
      std::string arn = child.child_value(name == "QueueConfiguration" ? "Queue" : "Topic");
      return InvalidArgument("Unable to validate the following destination configurations: " + arn +
                             " (Lamina delivers S3 events to Lambda functions only)");
    }
    if (name == "EventBridgeConfiguration") {
      out.event_bridge = true;
      continue;
    }
    if (name != "CloudFunctionConfiguration" && name != "LambdaFunctionConfiguration") {
      return MalformedXml();
    }
    FunctionNotification n;
    n.id = child.child_value("Id");
    n.function_arn = child.child_value("CloudFunction");
    if (n.function_arn.empty()) n.function_arn = child.child_value("LambdaFunctionArn");
    if (n.function_arn.empty()) return MalformedXml();
    for (pugi::xml_node e : child.children("Event")) {
      std::string event = e.child_value();
      if (!IsEventType(event)) {
        return InvalidArgument("The event is not supported for notifications");
      }
      n.events.push_back(std::move(event));
    }
    if (n.events.empty()) return MalformedXml();
    for (pugi::xml_node rule : child.child("Filter").child("S3Key").children("FilterRule")) {
      std::string rule_name = rule.child_value("Name");
      for (char& c : rule_name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string value = rule.child_value("Value");
      if (rule_name == "prefix" && n.prefix.empty()) {
        n.prefix = value;
      } else if (rule_name == "suffix" && n.suffix.empty()) {
        n.suffix = value;
      } else {
        return InvalidArgument(rule_name == "prefix" || rule_name == "suffix"
                                   ? "Cannot specify more than one " + rule_name +
                                         " rule in a filter."
                                   : "filter rule name must be either prefix or suffix");
      }
    }
    if (n.id.empty()) n.id = HexEncode(UniqueBytes(8));
    out.functions.push_back(std::move(n));
  }
  // Two configurations may not overlap: same event family for keys both filters accept.
  for (size_t i = 0; i < out.functions.size(); ++i) {
    for (size_t j = i + 1; j < out.functions.size(); ++j) {
      const auto& a = out.functions[i];
      const auto& b = out.functions[j];
      bool events_overlap = false;
      for (const auto& ea : a.events) {
        for (const auto& eb : b.events) {
          std::string_view x = ea, y = eb;
          std::string_view fx = x.substr(0, x.rfind(':')), fy = y.substr(0, y.rfind(':'));
          events_overlap =
              events_overlap || x == y || (fx == fy && (EndsWith(x, ":*") || EndsWith(y, ":*")));
        }
      }
      bool prefixes_overlap = a.prefix.rfind(b.prefix, 0) == 0 || b.prefix.rfind(a.prefix, 0) == 0;
      bool suffixes_overlap = EndsWith(a.suffix, b.suffix) || EndsWith(b.suffix, a.suffix);
      if (events_overlap && prefixes_overlap && suffixes_overlap) {
        return InvalidArgument(
            "Configurations overlap. Configurations on the same bucket cannot share a common "
            "event type.");
      }
    }
  }
  return out;
}

std::string RenderNotificationConfig(const NotificationConfig& config) {
  XmlWriter xml;
  xml.Open("NotificationConfiguration", "http://s3.amazonaws.com/doc/2006-03-01/");
  for (const FunctionNotification& n : config.functions) {
    xml.Open("CloudFunctionConfiguration");
    xml.Element("Id", n.id);
    xml.Element("CloudFunction", n.function_arn);
    for (const std::string& e : n.events) xml.Element("Event", e);
    if (!n.prefix.empty() || !n.suffix.empty()) {
      xml.Open("Filter");
      xml.Open("S3Key");
      for (const auto& [name, value] : {std::pair{"prefix", &n.prefix}, {"suffix", &n.suffix}}) {
        if (value->empty()) continue;
        xml.Open("FilterRule");
        xml.Element("Name", name);
        xml.Element("Value", *value);
        xml.Close();
      }
      xml.Close();
      xml.Close();
    }
    xml.Close();
  }
  if (config.event_bridge) {
    xml.Open("EventBridgeConfiguration");
    xml.Close();
  }
  return xml.Finish();
}

Status ValidateTargets(const NotificationConfig& config, EventTargets& targets,
                       const std::string& bucket, const std::string& account_id) {
  std::string failed;
  for (const FunctionNotification& n : config.functions) {
    if (!targets.CheckTarget(n.function_arn, "arn:aws:s3:::" + bucket, account_id).ok()) {
      failed += (failed.empty() ? "" : ", ") + n.function_arn;
    }
  }
  if (failed.empty()) return Status::Ok();
  return InvalidArgument("Unable to validate the following destination configurations: " + failed);
}

std::string EncodeEventKey(std::string_view key) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : key) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '*' || c == '/') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::vector<TargetEvent> EventsFor(const NotificationConfig& config, const ObjectEvent& event) {
  std::vector<TargetEvent> out;
  std::string sequencer;
  for (const FunctionNotification& n : config.functions) {
    bool wanted = false;
    for (const std::string& pattern : n.events) wanted = wanted || Covers(pattern, event.name);
    if (!wanted || event.key.rfind(n.prefix, 0) != 0 || !EndsWith(event.key, n.suffix)) continue;
    if (sequencer.empty()) sequencer = NextSequencer(event.time_ms);
    nlohmann::json object = {{"key", EncodeEventKey(event.key)}, {"sequencer", sequencer}};
    if (event.name.rfind("ObjectCreated:", 0) == 0) {
      object["size"] = event.size;
      object["eTag"] = event.etag;
    }
    nlohmann::json record = {
        {"eventVersion", "2.1"},
        {"eventSource", "aws:s3"},
        {"awsRegion", event.region},
        {"eventTime", FormatIso8601Millis(event.time_ms)},
        {"eventName", event.name},
        {"userIdentity", {{"principalId", event.principal_id}}},
        {"requestParameters", {{"sourceIPAddress", event.source_ip}}},
        {"responseElements",
         {{"x-amz-request-id", event.request_id}, {"x-amz-id-2", Base64Encode(event.request_id)}}},
        {"s3",
         {{"s3SchemaVersion", "1.0"},
          {"configurationId", n.id},
          {"bucket",
           {{"name", event.bucket},
            {"ownerIdentity", {{"principalId", event.owner_id}}},
            {"arn", "arn:aws:s3:::" + event.bucket}}},
          {"object", object}}}};
    nlohmann::json payload = {{"Records", nlohmann::json::array({record})}};
    out.push_back({n.function_arn,
                   payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                   event.trace_header});
  }
  return out;
}

}  // namespace lamina::services::s3
