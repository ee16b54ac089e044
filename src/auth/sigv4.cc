#include "auth/sigv4.h"

#include <algorithm>
#include <string_view>
#include <vector>

#include "common/crypto.h"
#include "common/time_format.h"
#include "common/uri.h"

namespace lamina::auth {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

Status Incomplete(std::string message) {
  return Unauthenticated(std::move(message), "IncompleteSignatureException");
}
Status Invalid(std::string message) {
  return Unauthenticated(std::move(message), "InvalidSignatureException");
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t pos = 0;
  for (;;) {
    size_t next = s.find(sep, pos);
    out.emplace_back(s.substr(pos, next == std::string_view::npos ? next : next - pos));
    if (next == std::string_view::npos) break;
    pos = next + 1;
  }
  return out;
}

// What a request says about its signature, from either the header or the query.
struct SignedParts {
  Scope scope;
  std::string amz_date;
  std::vector<std::string> signed_headers;
  std::string signature;
  bool presigned = false;
  int64_t expires_s = 0;
};

std::optional<Scope> ParseCredential(std::string_view credential) {
  auto parts = Split(credential, '/');
  if (parts.size() != 5 || parts[4] != "aws4_request" || parts[0].empty()) return std::nullopt;
  return Scope{parts[0], parts[1], parts[2], parts[3]};
}

const std::string* QueryValue(const QueryParams& params, std::string_view key) {
  for (const auto& [k, v] : params) {
    if (k == key) return &v;
  }
  return nullptr;
}

StatusOr<Scope> CredentialScope(const std::string& credential) {
  auto scope = ParseCredential(credential);
  if (!scope) {
    return Incomplete(
        "Credential must have exactly 5 slash-delimited elements, e.g. "
        "keyid/date/region/service/term, got '" +
        credential + "'");
  }
  return std::move(*scope);
}

StatusOr<SignedParts> ParseHeaderForm(const std::string& authorization,
                                      const http::HttpRequest& request) {
  std::string_view auth = authorization;
  if (auth.substr(0, kAlgorithm.size()) != kAlgorithm || auth.size() == kAlgorithm.size() ||
      auth[kAlgorithm.size()] != ' ') {
    return Incomplete(
        "Authorization header requires existence of AWS4-HMAC-SHA256 signature. "
        "Authorization=" +
        authorization);
  }
  std::string credential, signed_headers, signature;
  for (const std::string& item : Split(auth.substr(kAlgorithm.size() + 1), ',')) {
    std::string_view kv = Trim(item);
    size_t eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = kv.substr(0, eq), value = kv.substr(eq + 1);
    if (key == "Credential") credential = value;
    if (key == "SignedHeaders") signed_headers = value;
    if (key == "Signature") signature = value;
  }
  std::string missing;
  if (credential.empty()) missing += "Authorization header requires 'Credential' parameter. ";
  if (signature.empty()) missing += "Authorization header requires 'Signature' parameter. ";
  if (signed_headers.empty()) {
    missing += "Authorization header requires 'SignedHeaders' parameter. ";
  }
  const std::string* date = request.Header("x-amz-date");
  if (!date) {
    missing +=
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' "
        "header. ";
  }
  if (!missing.empty()) return Incomplete(missing + "Authorization=" + authorization);
  SignedParts parts;
  ASSIGN_OR_RETURN(parts.scope, CredentialScope(credential));
  parts.amz_date = *date;
  parts.signed_headers = Split(signed_headers, ';');
  parts.signature = signature;
  return parts;
}

StatusOr<SignedParts> ParseQueryForm(const QueryParams& params) {
  std::string missing;
  auto require = [&](std::string_view key) -> std::string {
    const std::string* v = QueryValue(params, key);
    if (!v || v->empty()) {
      missing += "AWS query-string parameters must include '" + std::string(key) + "'. ";
      return {};
    }
    return *v;
  };
  std::string algorithm = require("X-Amz-Algorithm");
  std::string credential = require("X-Amz-Credential");
  std::string signature = require("X-Amz-Signature");
  std::string signed_headers = require("X-Amz-SignedHeaders");
  std::string date = require("X-Amz-Date");
  if (!missing.empty()) return Incomplete(missing + "Re-examine the query-string parameters.");
  if (algorithm != kAlgorithm) {
    return Incomplete("X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"");
  }
  SignedParts parts;
  ASSIGN_OR_RETURN(parts.scope, CredentialScope(credential));
  parts.amz_date = date;
  parts.signed_headers = Split(signed_headers, ';');
  parts.signature = signature;
  parts.presigned = true;
  parts.expires_s = 604800;
  if (const std::string* expires = QueryValue(params, "X-Amz-Expires")) {
    char* end = nullptr;
    long long v = std::strtoll(expires->c_str(), &end, 10);
    if (expires->empty() || *end != '\0' || v < 0 || v > 604800) {
      return Incomplete("X-Amz-Expires must be an integer between 0 and 604800 seconds");
    }
    parts.expires_s = v;
  }
  return parts;
}

std::string JoinedHeaderValues(const http::HttpRequest& request, const std::string& name) {
  std::string joined;
  bool first = true;
  for (const auto& [k, v] : request.headers) {
    if (k != name) continue;
    if (!first) joined += ',';
    joined += CanonicalHeaderValue(v);
    first = false;
  }
  return joined;
}

std::string Hex256(std::string_view data) { return HexEncode(Sha256(data)); }

std::string StringToSign(const std::string& amz_date, const Scope& scope,
                         const std::string& canonical_request) {
  // Appended piecewise: g++ 12 at -O2 flags `std::string(kAlgorithm) + "\n"` with a false
  // -Warray-bounds.
  std::string sts(kAlgorithm);
  sts += '\n';
  sts += amz_date;
  sts += '\n';
  sts += scope.date + "/" + scope.region + "/" + scope.service + "/aws4_request\n";
  sts += Hex256(canonical_request);
  return sts;
}

}  // namespace

std::optional<Scope> PeekScope(const http::HttpRequest& request) {
  if (const std::string* auth = request.Header("authorization")) {
    size_t pos = auth->find("Credential=");
    if (pos == std::string::npos) return std::nullopt;
    size_t end = auth->find_first_of(", ", pos);
    return ParseCredential(std::string_view(*auth).substr(
        pos + 11, end == std::string::npos ? std::string::npos : end - pos - 11));
  }
  if (request.query.find("X-Amz-Credential=") == std::string::npos) return std::nullopt;
  QueryParams params;
  if (!ParseQuery(request.query, params)) return std::nullopt;
  const std::string* credential = QueryValue(params, "X-Amz-Credential");
  return credential ? ParseCredential(*credential) : std::nullopt;
}

std::string CanonicalUri(const std::string& raw_path, bool is_s3) {
  if (raw_path.empty()) return "/";
  if (is_s3) return raw_path;
  // RFC 3986 dot-segment removal, plus the removal of empty segments AWS expects.
  std::vector<std::string> out;
  for (std::string& segment : Split(raw_path, '/')) {
    if (segment.empty() || segment == ".") continue;
    if (segment == "..") {
      if (!out.empty()) out.pop_back();
    } else {
      out.push_back(std::move(segment));
    }
  }
  std::string normal = raw_path.front() == '/' ? "/" : "";
  for (size_t i = 0; i < out.size(); ++i) normal += (i ? "/" : "") + out[i];
  if (raw_path.back() == '/' && !out.empty()) normal += '/';
  return UriEncode(normal, /*keep_slash=*/true);
}

bool CanonicalQuery(const std::string& raw_query, const std::string& skip_key, std::string& out) {
  QueryParams params;
  if (!ParseQuery(raw_query, params)) return false;
  std::vector<std::pair<std::string, std::string>> encoded;
  for (const auto& [k, v] : params) {
    // An empty skip_key leaves nothing out: a parameter with an empty name is signed too.
    if (!skip_key.empty() && k == skip_key) continue;
    encoded.emplace_back(UriEncode(k), UriEncode(v));
  }
  std::sort(encoded.begin(), encoded.end());
  out.clear();
  for (size_t i = 0; i < encoded.size(); ++i) {
    if (i) out += '&';
    out += encoded[i].first + "=" + encoded[i].second;
  }
  return true;
}

std::string CanonicalHeaderValue(const std::string& value) {
  std::string out;
  bool in_space = false;
  for (char c : Trim(value)) {
    if (c == ' ' || c == '\t') {
      in_space = true;
      continue;
    }
    if (in_space) out += ' ';
    in_space = false;
    out += c;
  }
  return out;
}

std::string SigningKey(const std::string& secret, const std::string& date,
                       const std::string& region, const std::string& service) {
  std::string k = HmacSha256("AWS4" + secret, date);
  k = HmacSha256(k, region);
  k = HmacSha256(k, service);
  return HmacSha256(k, "aws4_request");
}

namespace {

// Deriving a signing key takes four HMACs, and a client signs all of a day's requests to a
// service with the same key: each thread remembers the last one it derived.
const std::string& CachedSigningKey(const std::string& secret, const std::string& date,
                                    const std::string& region, const std::string& service) {
  thread_local struct { std::string secret, date, region, service, key; } last;
  if (last.key.empty() || last.secret != secret || last.date != date || last.region != region ||
      last.service != service) {
    last.key = SigningKey(secret, date, region, service);
    last.secret = secret;
    last.date = date;
    last.region = region;
    last.service = service;
  }
  return last.key;
}

}  // namespace

StatusOr<Principal> Verify(const http::HttpRequest& request, const CredentialProvider& credentials,
                           const Clock& clock, const VerifyOptions& options) {
  QueryParams params;
  if (!ParseQuery(request.query, params)) {
    return Incomplete("The request's query string is not well-formed.");
  }
  const std::string* authorization = request.Header("authorization");
  bool has_query_credential = QueryValue(params, "X-Amz-Credential") != nullptr ||
                              QueryValue(params, "X-Amz-Algorithm") != nullptr;
  if (!authorization && !has_query_credential) {
    return Unauthenticated("Missing Authentication Token", "MissingAuthenticationTokenException");
  }
  if (authorization && has_query_credential) {
    return Invalid(
        "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or "
        "the Authorization header should be specified");
  }
  ASSIGN_OR_RETURN(SignedParts parts, authorization ? ParseHeaderForm(*authorization, request)
                                                    : ParseQueryForm(params));

  // Time: the request date must be well-formed, agree with the scope and be near now.
  std::optional<int64_t> signed_at = ParseAmzDate(parts.amz_date);
  if (!signed_at) {
    return Incomplete("Date must be in ISO-8601 'basic format'. Got '" + parts.amz_date +
                      "'. See http://en.wikipedia.org/wiki/ISO_8601");
  }
  if (parts.scope.date != parts.amz_date.substr(0, 8)) {
    return Invalid(
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of "
        "date from HTTP: '" +
        parts.scope.date + "' != '" + parts.amz_date.substr(0, 8) + "', from '" + parts.amz_date +
        "'.");
  }
  int64_t now = clock.NowMillis();
  if (parts.presigned) {
    if (now > *signed_at + parts.expires_s * 1000) {
      return Invalid("Signature expired: " + parts.amz_date + " is now earlier than " +
                     FormatAmzDate(now - parts.expires_s * 1000) + " (" + FormatAmzDate(now) +
                     " - " + std::to_string(parts.expires_s) + " sec.)");
    }
  } else if (*signed_at < now - options.max_skew_ms) {
    return Invalid("Signature expired: " + parts.amz_date + " is now earlier than " +
                   FormatAmzDate(now - options.max_skew_ms) + " (" + FormatAmzDate(now) + " - " +
                   std::to_string(options.max_skew_ms / 60000) + " min.)");
  } else if (*signed_at > now + options.max_skew_ms) {
    return Invalid("Signature not yet current: " + parts.amz_date + " is still later than " +
                   FormatAmzDate(now + options.max_skew_ms) + " (" + FormatAmzDate(now) + " + " +
                   std::to_string(options.max_skew_ms / 60000) + " min.)");
  }
  if (!options.region.empty() && parts.scope.region != options.region) {
    return Invalid("Credential should be scoped to a valid region. ");
  }
  if (std::find(parts.signed_headers.begin(), parts.signed_headers.end(), "host") ==
      parts.signed_headers.end()) {
    return Invalid("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }

  // The payload hash, and that it matches the body when the client declared one.
  bool is_s3 = parts.scope.service == "s3";
  std::string payload_hash;
  if (const std::string* declared = request.Header("x-amz-content-sha256")) {
    payload_hash = *declared;
    if (payload_hash.size() == 64 && !options.body_streamed &&
        payload_hash != Hex256(request.body)) {
      return PayloadMismatch();
    }
  } else if (parts.presigned && is_s3) {
    payload_hash = kUnsignedPayload;
  } else {
    payload_hash = Hex256(request.body);
  }

  Principal principal;
  principal.access_key_id = parts.scope.access_key_id;
  if (!options.check_signature) {
    principal.arn = "arn:aws:iam::000000000000:root";
    return principal;
  }
  // Temporary keys come with their session token, in a header or (presigned) in the query.
  const std::string* token = request.Header("x-amz-security-token");
  if (!token) token = QueryValue(params, "X-Amz-Security-Token");
  std::optional<Credential> credential;
  if (token) {
    ASSIGN_OR_RETURN(credential, credentials.FindSession(parts.scope.access_key_id, *token));
  } else {
    credential = credentials.Find(parts.scope.access_key_id);
    if (!credential) return UnrecognizedClient();
  }

  std::string canonical_query;
  CanonicalQuery(request.query, parts.presigned ? "X-Amz-Signature" : "", canonical_query);
  std::string canonical =
      request.method + "\n" + CanonicalUri(request.path, is_s3) + "\n" + canonical_query + "\n";
  for (const std::string& name : parts.signed_headers) {
    canonical += name + ":" + JoinedHeaderValues(request, name) + "\n";
  }
  canonical += "\n";
  for (size_t i = 0; i < parts.signed_headers.size(); ++i) {
    canonical += (i ? ";" : "") + parts.signed_headers[i];
  }
  canonical += "\n" + payload_hash;

  const std::string& key = CachedSigningKey(credential->secret_access_key, parts.scope.date,
                                            parts.scope.region, parts.scope.service);
  std::string expected =
      HexEncode(HmacSha256(key, StringToSign(parts.amz_date, parts.scope, canonical)));
  if (!SecureEquals(expected, parts.signature)) {
    return Invalid(
        "The request signature we calculated does not match the signature you "
        "provided. Check your AWS Secret Access Key and signing method. Consult the "
        "service documentation for details.");
  }
  principal.chunk_signing = {
      key, parts.signature, parts.amz_date,
      parts.scope.date + "/" + parts.scope.region + "/" + parts.scope.service + "/aws4_request"};
  principal.arn = credential->principal_arn;
  principal.user_id = credential->user_id;
  principal.role_name = credential->role_name;
  principal.role_arn = credential->role_arn;
  return principal;
}

Status PayloadMismatch() {
  return InvalidArgument(
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
      "XAmzContentSHA256Mismatch");
}

std::string PresignGet(const std::string& host, const std::string& path,
                       const Credential& credential, const std::string& region,
                       const std::string& service, int64_t now_ms, int expires_s) {
  std::string amz_date = FormatAmzDate(now_ms);
  Scope scope{credential.access_key_id, amz_date.substr(0, 8), region, service};
  std::string query = "X-Amz-Algorithm=" + std::string(kAlgorithm) + "&X-Amz-Credential=" +
                      UriEncode(credential.access_key_id + "/" + scope.date + "/" + region + "/" +
                                service + "/aws4_request") +
                      "&X-Amz-Date=" + amz_date + "&X-Amz-Expires=" + std::to_string(expires_s) +
                      "&X-Amz-SignedHeaders=host";
  std::string canonical_query;
  CanonicalQuery(query, "", canonical_query);
  std::string payload = service == "s3" ? std::string(kUnsignedPayload) : Hex256("");
  std::string canonical = "GET\n" + CanonicalUri(path, service == "s3") + "\n" + canonical_query +
                          "\nhost:" + host + "\n\nhost\n" + payload;
  std::string key = SigningKey(credential.secret_access_key, scope.date, region, service);
  std::string signature = HexEncode(HmacSha256(key, StringToSign(amz_date, scope, canonical)));
  return path + "?" + query + "&X-Amz-Signature=" + signature;
}

void SignRequest(http::HttpRequest& request, const Credential& credential,
                 const std::string& region, const std::string& service, int64_t now_ms,
                 bool unsigned_payload) {
  std::string amz_date = FormatAmzDate(now_ms);
  std::string payload_hash =
      unsigned_payload ? std::string(kUnsignedPayload) : Hex256(request.body);
  request.headers.erase(std::remove_if(request.headers.begin(), request.headers.end(),
                                       [](const auto& h) {
                                         return h.first == "x-amz-date" ||
                                                h.first == "x-amz-content-sha256" ||
                                                h.first == "authorization";
                                       }),
                        request.headers.end());
  request.AddHeader("x-amz-date", amz_date);
  request.AddHeader("x-amz-content-sha256", payload_hash);
  std::vector<std::string> names;
  for (const auto& [name, value] : request.headers) {
    if ((name == "host" || name.rfind("x-amz-", 0) == 0) &&
        std::find(names.begin(), names.end(), name) == names.end()) {
      names.push_back(name);
    }
  }
  std::sort(names.begin(), names.end());
  std::string canonical_query;
  CanonicalQuery(request.query, "", canonical_query);
  std::string canonical = request.method + "\n" + CanonicalUri(request.path, service == "s3") +
                          "\n" + canonical_query + "\n";
  std::string signed_headers;
  for (const std::string& name : names) {
    canonical += name + ":" + JoinedHeaderValues(request, name) + "\n";
    signed_headers += (signed_headers.empty() ? "" : ";") + name;
  }
  canonical += "\n" + signed_headers + "\n" + payload_hash;
  Scope scope{credential.access_key_id, amz_date.substr(0, 8), region, service};
  const std::string& key =
      CachedSigningKey(credential.secret_access_key, scope.date, region, service);
  std::string signature = HexEncode(HmacSha256(key, StringToSign(amz_date, scope, canonical)));
  request.AddHeader("authorization", std::string(kAlgorithm) +
                                         " Credential=" + credential.access_key_id + "/" +
                                         scope.date + "/" + region + "/" + service +
                                         "/aws4_request, SignedHeaders=" + signed_headers +
                                         ", Signature=" + signature);
}

}  // namespace lamina::auth
