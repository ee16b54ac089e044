#include "services/iam/role.h"

#include <nlohmann/json.hpp>

#include "common/crypto.h"
#include "common/time_format.h"
#include "common/uri.h"

namespace lamina::services::iam {

using nlohmann::json;

std::string NewRoleId() {
  static constexpr char kBase32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string id = "AROA";
  for (char byte : RandomBytes(17)) id += kBase32[static_cast<unsigned char>(byte) & 31];
  return id;
}

std::string RoleArn(std::string_view account_id, const Role& role) {
  return "arn:aws:iam::" + std::string(account_id) + ":role" + role.path + role.name;
}

std::string EncodeRole(const Role& role) {
  json tags = json::array();
  for (const Tag& tag : role.tags) tags.push_back({{"key", tag.key}, {"value", tag.value}});
  json j = {{"name", role.name},
            {"path", role.path},
            {"id", role.id},
            {"create_date_ms", role.create_date_ms},
            {"assume_role_policy_document", role.assume_role_policy_document},
            {"max_session_duration", role.max_session_duration},
            {"tags", std::move(tags)}};
  if (role.description) j["description"] = *role.description;
  return j.dump();
}

StatusOr<Role> DecodeRole(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  auto is_string = [&j](const char* key) { return j.contains(key) && j[key].is_string(); };
  auto is_integer = [&j](const char* key) { return j.contains(key) && j[key].is_number_integer(); };
  if (j.is_discarded() || !j.is_object() || !is_string("name") || !is_string("path") ||
      !is_string("id") || !is_integer("create_date_ms") ||
      !is_string("assume_role_policy_document") || !is_integer("max_session_duration")) {
    return Internal("corrupt IAM role record in the store");
  }
  Role role;
  role.name = j["name"].get<std::string>();
  role.path = j["path"].get<std::string>();
  role.id = j["id"].get<std::string>();
  role.create_date_ms = j["create_date_ms"].get<int64_t>();
  role.assume_role_policy_document = j["assume_role_policy_document"].get<std::string>();
  role.max_session_duration = j["max_session_duration"].get<int64_t>();
  if (is_string("description")) role.description = j["description"].get<std::string>();
  if (j.contains("tags") && j["tags"].is_array()) {
    for (const json& tag : j["tags"]) {
      if (!tag.is_object() || !tag.contains("key") || !tag["key"].is_string() ||
          !tag.contains("value") || !tag["value"].is_string()) {
        return Internal("corrupt IAM role record in the store");
      }
      role.tags.push_back({tag["key"].get<std::string>(), tag["value"].get<std::string>()});
    }
  }
  return role;
}

void WriteRoleXml(const Role& role, std::string_view account_id, std::string_view element,
                  RoleView view, XmlWriter& xml) {
  xml.Open(element);
  xml.Element("Path", role.path);
  xml.Element("RoleName", role.name);
  xml.Element("RoleId", role.id);
  xml.Element("Arn", RoleArn(account_id, role));
  xml.Element("CreateDate", FormatIso8601Seconds(role.create_date_ms));
  // IAM hands policy documents back URL-encoded; botocore un-quotes and parses them.
  xml.Element("AssumeRolePolicyDocument", UriEncode(role.assume_role_policy_document));
  if (role.description) xml.Element("Description", *role.description);
  xml.Element("MaxSessionDuration", std::to_string(role.max_session_duration));
  if (view == RoleView::kFull && !role.tags.empty()) {
    xml.Open("Tags");
    for (const Tag& tag : role.tags) {
      xml.Open("member");
      xml.Element("Key", tag.key);
      xml.Element("Value", tag.value);
      xml.Close();
    }
    xml.Close();
  }
  xml.Close();
}

}  // namespace lamina::services::iam
