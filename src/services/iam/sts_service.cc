#include "services/iam/sts_service.h"

#include <string>

#include "common/xml_writer.h"
#include "services/iam/assume_role.h"
#include "services/iam/query_protocol.h"
#include "services/iam/role_store.h"

namespace lamina::services::iam {
namespace {

constexpr QueryApi kStsApi{"https://sts.amazonaws.com/doc/2011-06-15/", "2011-06-15"};

// Needs no permission, as on AWS: any valid key may ask who it is.
void GetCallerIdentity(const http::CallContext& context, XmlWriter& result) {
  result.Element("Arn", context.principal_arn);
  result.Element("UserId", context.user_id);
  result.Element("Account", context.account_id);
}

}  // namespace

void StsService::Handle(const http::CallContext& context, http::HttpRequest request,
                        http::Responder respond) {
  auto args = QueryArgs::Parse(request);
  if (!args.ok()) return respond(RenderError(context, args.status()));
  auto action = RequestedAction(*args, kStsApi);
  if (!action.ok()) return respond(RenderError(context, action.status()));
  XmlWriter result;
  if (*action == "GetCallerIdentity") {
    GetCallerIdentity(context, result);
  } else if (*action == "AssumeRole") {
    RoleStore roles(store_);
    Status status = iam::AssumeRole(context, *args, roles, *sessions_, *clock_, result);
    if (!status.ok()) return respond(RenderError(context, status));
  } else {
    return respond(RenderError(context, UnknownAction(kStsApi, *action)));
  }
  std::string result_xml = result.Finish();
  respond(RenderQueryResult(kStsApi, *action, &result_xml, context.request_id));
}

http::HttpResponse StsService::RenderError(const http::CallContext& context,
                                           const Status& status) const {
  return RenderQueryError(kStsApi, status, context.request_id);
}

}  // namespace lamina::services::iam
