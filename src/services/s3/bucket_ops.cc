// ListBuckets, CreateBucket, DeleteBucket, HeadBucket, GetBucketLocation.
#include <cctype>
#include <pugixml.hpp>

#include "common/crypto.h"
#include "common/time_format.h"
#include "common/xml_writer.h"
#include "services/s3/operations.h"
#include "services/s3/s3_errors.h"

namespace lamina::services::s3 {
namespace {

// S3's bucket naming rules (general purpose buckets).
Status ValidateBucketName(const std::string& name) {
  auto bad = [&](const std::string& why) {
    return lamina::InvalidArgument("The specified bucket is not valid. " + why,
                                   "InvalidBucketName");
  };
  if (name.size() < 3 || name.size() > 63) return bad("Bucket names must be 3 to 63 characters.");
  bool all_digits_and_dots = true;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = std::islower(static_cast<unsigned char>(c)) ||
              std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-';
    if (!ok) return bad("Bucket names may contain lowercase letters, digits, dots and hyphens.");
    if (!std::isdigit(static_cast<unsigned char>(c)) && c != '.') all_digits_and_dots = false;
  }
  if (!std::isalnum(static_cast<unsigned char>(name.front())) ||
      !std::isalnum(static_cast<unsigned char>(name.back()))) {
    return bad("Bucket names must begin and end with a letter or a digit.");
  }
  if (name.find("..") != std::string::npos || name.find(".-") != std::string::npos ||
      name.find("-.") != std::string::npos) {
    return bad("Bucket names must not contain two adjacent periods or a period beside a hyphen.");
  }
  if (all_digits_and_dots && std::count(name.begin(), name.end(), '.') == 3) {
    return bad("Bucket names must not be formatted as an IP address.");
  }
  // Prefixes and suffixes S3 reserves for its own names (access points, Object Lambda, ...).
  for (std::string_view prefix : {"xn--", "sthree-", "amzn-s3-demo-"}) {
    if (name.rfind(prefix, 0) == 0)
      return bad("Bucket names must not start with " + std::string(prefix) + ".");
  }
  for (std::string_view suffix : {"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"}) {
    if (name.size() > suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      return bad("Bucket names must not end with " + std::string(suffix) + ".");
    }
  }
  return Status::Ok();
}

void LoadBucketThen(const CallPtr& call, void (*then)(const CallPtr&, const BucketInfo&)) {
  auto bucket = call->store().GetBucket(call->s3.bucket);
  if (!bucket.ok()) return call->Fail(bucket.status());
  if (!*bucket) return call->Fail(NoSuchBucket());
  then(call, **bucket);
}

}  // namespace

void ListBuckets(const CallPtr& call) {
  std::string prefix = call->s3.Value("prefix"), region = call->s3.Value("bucket-region"), after;
  if (const std::string* token = call->s3.Query("continuation-token")) {
    if (!Base64Decode(*token, after) || after.empty()) {
      return call->Fail(InvalidArgument("The continuation token provided is incorrect"));
    }
  }
  auto max = IntParameter(call->s3, "max-buckets", 10000, 1, 10000,
                          "Argument max-buckets must be an integer between 1 and 10000.",
                          /*strict=*/true);
  if (!max.ok()) return call->Fail(max.status());
  auto buckets = call->store().ListBuckets();
  if (!buckets.ok()) return call->Fail(buckets.status());
  XmlWriter xml;
  xml.Open("ListAllMyBucketsResult", kXmlns);
  WriteOwner(xml, "Owner", call->context.account_id);
  xml.Open("Buckets");
  size_t listed = 0;
  std::string last;
  bool more = false;
  for (const BucketInfo& b : *buckets) {  // in name order
    if (b.name <= after || b.name.rfind(prefix, 0) != 0) continue;
    if (!region.empty() && b.region != region) continue;
    if (listed == static_cast<size_t>(*max)) {
      more = true;
      break;
    }
    xml.Open("Bucket");
    xml.Element("Name", b.name);
    xml.Element("CreationDate", FormatIso8601Millis(b.created_ms));
    xml.Element("BucketRegion", b.region);
    xml.Close();
    last = b.name;
    ++listed;
  }
  xml.Close();
  if (more) xml.Element("ContinuationToken", Base64Encode(last));
  if (call->s3.Has("prefix")) xml.Element("Prefix", prefix);
  call->ReplyXml(xml.Finish());
}

void CreateBucket(const CallPtr& call) {
  if (Status s = ValidateBucketName(call->s3.bucket); !s.ok()) return call->Fail(s);
  BucketInfo bucket{call->s3.bucket, call->context.region, call->now_ms()};
  if (!call->request.body.empty()) {
    pugi::xml_document doc;
    if (!doc.load_buffer(call->request.body.data(), call->request.body.size())) {
      return call->Fail(MalformedXml());
    }
    pugi::xml_node config = doc.child("CreateBucketConfiguration");
    if (!config) return call->Fail(MalformedXml());
    std::string location = config.child_value("LocationConstraint");
    if (location == "us-east-1") {
      return call->Fail(lamina::InvalidArgument("The specified location-constraint is not valid",
                                                "InvalidLocationConstraint"));
    }
    if (!location.empty()) bucket.region = location;
  } else if (call->context.region != "us-east-1") {
    bucket.region = "us-east-1";  // no constraint: us-east-1, as on AWS's global endpoint
  }
  if (Status s = call->store().CreateBucket(bucket); !s.ok()) {
    // A bucket created again by its owner in us-east-1 is, for S3's legacy reasons, a success.
    if (s.aws_type() != "BucketAlreadyOwnedByYou" || bucket.region != "us-east-1") {
      return call->Fail(s);
    }
    auto existing = call->store().GetBucket(bucket.name);
    if (!existing.ok() || !*existing || (*existing)->region != "us-east-1") return call->Fail(s);
  }
  http::HttpResponse r;
  r.SetHeader("Location", "/" + bucket.name);
  call->Reply(std::move(r));
}

void DeleteBucket(const CallPtr& call) {
  if (Status s = call->store().DeleteBucket(call->s3.bucket); !s.ok()) return call->Fail(s);
  call->ReplyEmpty(204);
}

void HeadBucket(const CallPtr& call) {
  LoadBucketThen(call, [](const CallPtr& call, const BucketInfo& bucket) {
    http::HttpResponse r;
    r.SetHeader("x-amz-bucket-region", bucket.region);
    r.SetHeader("Content-Type", "application/xml");
    call->Reply(std::move(r));
  });
}

void GetBucketLocation(const CallPtr& call) {
  LoadBucketThen(call, [](const CallPtr& call, const BucketInfo& bucket) {
    std::string body = bucket.region == "us-east-1" ? "" : bucket.region;
    call->ReplyXml("<LocationConstraint xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">" +
                   XmlEscape(body) + "</LocationConstraint>");
  });
}

}  // namespace lamina::services::s3
