#include "services/iam/sts_service.h"

#include <string>

#include "services/iam/query_protocol.h"
#include "services/iam/xml_writer.h"

namespace lamina::services::iam {
namespace {

constexpr QueryApi kStsApi{"https://sts.amazonaws.com/doc/2011-06-15/", "2011-06-15"};

}  // namespace

void StsService::Handle(const http::CallContext& context, http::HttpRequest request,
                        http::Responder respond) {
  auto args = QueryArgs::Parse(request);
  if (!args.ok()) return respond(RenderError(context, args.status()));
  auto action = RequestedAction(*args, kStsApi);
  if (!action.ok()) return respond(RenderError(context, action.status()));
  if (*action != "GetCallerIdentity") {
    return respond(RenderError(context, UnknownAction(kStsApi, *action)));
  }
  XmlWriter result;
  result.Element("Arn", context.principal_arn);
  result.Element("UserId", context.user_id);
  result.Element("Account", context.account_id);
  std::string result_xml = result.Finish();
  respond(RenderQueryResult(kStsApi, *action, &result_xml, context.request_id));
}

http::HttpResponse StsService::RenderError(const http::CallContext& context,
                                           const Status& status) const {
  return RenderQueryError(kStsApi, status, context.request_id);
}

}  // namespace lamina::services::iam
