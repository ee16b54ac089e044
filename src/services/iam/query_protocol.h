// The AWS query protocol, shared by IAM and STS: parameters arrive form-encoded (a POST body or a
// GET query string) with Action and Version; results and errors leave as XML in the API's
// namespace. This is the one place a Status becomes a query-protocol error.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "common/status.h"
#include "http/message.h"

namespace lamina::services::iam {

// One query API: its XML namespace and the Version it speaks.
struct QueryApi {
  std::string_view xmlns;    // e.g. "https://iam.amazonaws.com/doc/2010-05-08/"
  std::string_view version;  // e.g. "2010-05-08"
};

// The decoded parameters of one request.
class QueryArgs {
 public:
  // Reads the query string and, for a form-encoded POST, the body (a body value wins over a query
  // value of the same name). MalformedQueryString (400) on a bad escape or a value that is not
  // UTF-8.
  static StatusOr<QueryArgs> Parse(const http::HttpRequest& request);

  // The value of `name`, or nullptr when the request did not send it.
  const std::string* Find(std::string_view name) const;

 private:
  std::map<std::string, std::string, std::less<>> params_;
};

// The Action the request names: MissingAction (400) when there is none, InvalidAction (400) when
// it sends a Version other than the API's.
StatusOr<std::string> RequestedAction(const QueryArgs& args, const QueryApi& api);
// InvalidAction (400): "Could not find operation X for version V".
Status UnknownAction(const QueryApi& api, std::string_view action);

// 200 text/xml: <{action}Response xmlns><{action}Result>{result_xml}</{action}Result>
// <ResponseMetadata><RequestId/></ResponseMetadata></{action}Response>. Without `result_xml` (an
// operation with no output) the Result element is left out.
http::HttpResponse RenderQueryResult(const QueryApi& api, std::string_view action,
                                     const std::string* result_xml, std::string_view request_id);

// The error name and HTTP status a Status takes on a query-protocol wire. The edge's
// authentication errors carry JSON-protocol names (MissingAuthenticationTokenException, ...) and
// are renamed to their query-protocol forms; any other aws_type is used as is; a Status without
// one is named after its code (kNotFound: NoSuchEntity, kInternal: ServiceFailure, ...).
struct WireError {
  std::string code;
  int http_status = 400;
};
WireError ToWireError(const Status& status);

// <ErrorResponse xmlns><Error><Type>Sender|Receiver</Type><Code/><Message/></Error>
// <RequestId/></ErrorResponse>, text/xml, with the status from ToWireError.
http::HttpResponse RenderQueryError(const QueryApi& api, const Status& status,
                                    std::string_view request_id);

}  // namespace lamina::services::iam
