// AWS Signature Version 4: verification of signed requests (Authorization header form and
// presigned query form) and presigning of URLs the daemon hands out.
//
// The canonical request follows AWS's rules exactly: the path is normalised and encoded a second
// time for every service but S3 (whose path is used as sent); query parameters are decoded,
// re-encoded strictly and sorted; signed header values are trimmed with inner runs of spaces
// collapsed; the payload hash is X-Amz-Content-Sha256 when sent (UNSIGNED-PAYLOAD included),
// UNSIGNED-PAYLOAD for presigned S3 URLs, else the SHA-256 of the body.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "auth/credentials.h"
#include "common/clock.h"
#include "common/status.h"
#include "http/message.h"

namespace lamina::auth {

// The credential scope of a request: AKID/date/region/service/aws4_request.
struct Scope {
  std::string access_key_id;
  std::string date;  // YYYYMMDD
  std::string region;
  std::string service;
};

// The scope a request claims, read without verifying anything; for routing. nullopt when the
// request carries no SigV4 credential.
std::optional<Scope> PeekScope(const http::HttpRequest& request);

// What the chunk signatures of an aws-chunked body chain from (auth/aws_chunked.h): the request's
// own signature (the seed), its signing key, date and credential scope.
struct ChunkSigning {
  std::string signing_key;  // empty: not checked (--auth=off)
  std::string seed_signature;
  std::string amz_date;
  std::string scope;  // date/region/service/aws4_request
};

struct Principal {
  std::string access_key_id;
  std::string arn;
  std::string user_id;
  std::string role_name;  // for temporary credentials of an assumed role
  std::string role_arn;
  ChunkSigning chunk_signing;
};

struct VerifyOptions {
  // Region the request must be scoped to; empty accepts any.
  std::string region;
  int64_t max_skew_ms = 15 * 60 * 1000;
  // When false (`--auth=off`) the request must be well-formed but its key and signature are not
  // checked.
  bool check_signature = true;
  // The body is streamed, not in `request.body`: a declared x-amz-content-sha256 is for its
  // reader to compare (PayloadMismatch) as the bytes go by.
  bool body_streamed = false;
};

// The error for a body whose SHA-256 is not the x-amz-content-sha256 its request declared.
Status PayloadMismatch();

// Verifies the request's signature. A request with X-Amz-Security-Token (header, or query when
// presigned) is checked against the provider's sessions, any other against its long-term keys.
// Errors carry the JSON-protocol AWS error names: MissingAuthenticationTokenException,
// IncompleteSignatureException, InvalidSignatureException, UnrecognizedClientException,
// ExpiredTokenException (all Code::kUnauthenticated), or XAmzContentSHA256Mismatch.
StatusOr<Principal> Verify(const http::HttpRequest& request, const CredentialProvider& credentials,
                           const Clock& clock, const VerifyOptions& options);

// The pieces, exposed for tests.
std::string CanonicalUri(const std::string& raw_path, bool is_s3);
// Canonical query string from a raw query, leaving out `skip_key` (X-Amz-Signature when presigned;
// empty to leave nothing out). False on a malformed escape.
bool CanonicalQuery(const std::string& raw_query, const std::string& skip_key, std::string& out);
std::string CanonicalHeaderValue(const std::string& value);
std::string SigningKey(const std::string& secret, const std::string& date,
                       const std::string& region, const std::string& service);

// A presigned GET URL path+query for `path` (already percent-encoded) on `host`, valid for
// `expires_s` seconds from `now_ms`.
std::string PresignGet(const std::string& host, const std::string& path,
                       const Credential& credential, const std::string& region,
                       const std::string& service, int64_t now_ms, int expires_s);

// Signs `request` in the Authorization-header form: sets X-Amz-Date, X-Amz-Content-Sha256 and
// Authorization, signing host, x-amz-date, x-amz-content-sha256 and any x-amz-* headers present.
// `request.path` and `request.query` must be encoded as they go on the wire; `host` must be set.
// `unsigned_payload` signs UNSIGNED-PAYLOAD instead of the body's hash (an S3 upload streamed
// from elsewhere).
void SignRequest(http::HttpRequest& request, const Credential& credential,
                 const std::string& region, const std::string& service, int64_t now_ms,
                 bool unsigned_payload = false);

}  // namespace lamina::auth
