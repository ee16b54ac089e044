// An IAM role as Lamina keeps it, with its two encodings: JSON in the Store and XML on the wire.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/xml_writer.h"

namespace lamina::services::iam {

struct Tag {
  std::string key;
  std::string value;
};

struct Role {
  std::string name;  // as created; lookups ignore case, like AWS
  std::string path = "/";
  std::string id;  // "AROA" + 17 base32 characters
  int64_t create_date_ms = 0;
  std::string assume_role_policy_document;  // as the caller sent it
  std::optional<std::string> description;
  int64_t max_session_duration = 3600;
  std::vector<Tag> tags;
};

// A fresh, random role id: "AROA" followed by 17 characters of A-Z and 2-7.
std::string NewRoleId();
// arn:aws:iam::{account_id}:role{path}{name}
std::string RoleArn(std::string_view account_id, const Role& role);

std::string EncodeRole(const Role& role);
// kInternal when `json` is not a role this code wrote.
StatusOr<Role> DecodeRole(std::string_view json);

// How much of a role an operation returns: ListRoles leaves Tags out, as AWS does.
enum class RoleView { kFull, kListed };

// Writes <{element}> with the role's members as IAM returns them: the trust policy document
// URL-encoded (botocore decodes it), Description and Tags only when set.
void WriteRoleXml(const Role& role, std::string_view account_id, std::string_view element,
                  RoleView view, XmlWriter& xml);

}  // namespace lamina::services::iam
