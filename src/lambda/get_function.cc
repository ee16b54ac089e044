// GetFunction and GetFunctionConfiguration.
#include "auth/sigv4.h"
#include "lambda/errors.h"
#include "lambda/operation.h"

namespace lamina::lambda {

using json = nlohmann::json;

OpResult GetFunction(OpContext& op) {
  ASSIGN_OR_RETURN(auto loaded, LoadFunction(op));
  const FunctionRecord& record = *loaded;
  // Like AWS's pre-signed S3 URL: valid for ten minutes, for this daemon's host.
  std::string host = op.call.host.empty() ? "127.0.0.1" : op.call.host;
  std::string location =
      "http://" + host +
      auth::PresignGet(host, "/_lamina/code/" + record.code_blob, *op.deps.code_signer,
                       op.call.region, "lambda", op.deps.clock->NowMillis(), 600);
  json body = {{"Configuration", record.configuration},
               {"Code", {{"RepositoryType", "S3"}, {"Location", location}}}};
  if (!record.tags.empty()) body["Tags"] = record.tags;
  if (record.reserved_concurrency) {
    body["Concurrency"] = {{"ReservedConcurrentExecutions", *record.reserved_concurrency}};
  }
  return JsonResponse(200, body.dump());
}

OpResult GetFunctionConfiguration(OpContext& op) {
  ASSIGN_OR_RETURN(auto record, LoadFunction(op));
  return ConfigurationResponse(200, *record);
}

OpResult DownloadCode(OpContext& op) {
  auto data = op.deps.blobs->Get(op.path["Blob"]);
  if (!data.ok()) {
    if (data.status().code() == Code::kNotFound) {
      return ResourceNotFound("The code package does not exist.");
    }
    return data.status();
  }
  http::HttpResponse r;
  r.SetHeader("Content-Type", "application/zip");
  r.body = std::move(*data);
  return r;
}

}  // namespace lamina::lambda
