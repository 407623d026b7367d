// The bucket operations of S3Service: create, delete, head, location, listing the buckets,
// and the settings S3 keeps and returns as they were put.
#include <fmt/format.h>

#include "base/strings.h"
#include "services/s3/s3_service.h"
#include "services/s3/s3_xml.h"

namespace ll::s3 {
namespace {

// The 404 S3 answers for a setting never put, by subresource.
Status NoSuchSetting(const std::string& setting) {
  if (setting == "policy") {
    return Status::Error(errors::kNoSuchBucketPolicy, "The bucket policy does not exist");
  }
  if (setting == "cors") {
    return Status::Error(errors::kNoSuchCORSConfiguration, "The CORS configuration does not exist");
  }
  if (setting == "lifecycle") {
    return Status::Error(errors::kNoSuchLifecycleConfiguration,
                         "The lifecycle configuration does not exist");
  }
  if (setting == "tagging") return Status::Error(errors::kNoSuchTagSet, "The TagSet does not exist");
  return Status::Error("NoSuch" + std::string(1, char(toupper(setting[0]))) + setting.substr(1) +
                           "Configuration",
                       "The configuration does not exist");
}

// What GET answers for a setting never put, when S3 answers with an empty document instead.
std::optional<std::string> EmptySetting(const std::string& setting) {
  auto empty = [](std::string_view root) {
    XmlWriter x;
    x.Open(root, kS3Namespace).Close(root);
    return x.Take();
  };
  if (setting == "versioning") return empty("VersioningConfiguration");
  if (setting == "notification") return empty("NotificationConfiguration");
  if (setting == "acl") {
    XmlWriter x;
    x.Open("AccessControlPolicy", kS3Namespace).Open("Owner").Leaf("ID", kOwnerId).Close("Owner");
    x.Open("AccessControlList").Open("Grant");
    x.Open("Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"CanonicalUser\"");
    x.Leaf("ID", kOwnerId).Close("Grantee").Leaf("Permission", "FULL_CONTROL").Close("Grant");
    x.Close("AccessControlList").Close("AccessControlPolicy");
    return x.Take();
  }
  return std::nullopt;
}

// The regions a LocationConstraint may name (botocore's BucketLocationConstraint, plus the
// regions opened since; "EU" is the old name of eu-west-1).
bool IsKnownRegion(std::string_view region) {
  static constexpr std::string_view kRegions[] = {
      "af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
      "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3",
      "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-central-1", "ca-west-1",
      "cn-north-1", "cn-northwest-1", "EU", "eu-central-1", "eu-central-2", "eu-north-1",
      "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1",
      "me-central-1", "me-south-1", "mx-central-1", "sa-east-1", "us-east-2", "us-gov-east-1",
      "us-gov-west-1", "us-west-1", "us-west-2"};
  for (std::string_view r : kRegions) {
    if (r == region) return true;
  }
  return false;
}

}  // namespace

Status S3Service::ListBuckets(S3Call& call) {
  XmlWriter x;
  x.Open("ListAllMyBucketsResult", kS3Namespace);
  x.Open("Owner").Leaf("ID", kOwnerId).Leaf("DisplayName", kOwnerName).Close("Owner");
  x.Open("Buckets");
  for (const BucketInfo& b : objects_->ListBuckets()) {
    x.Open("Bucket").Leaf("Name", b.name).Leaf("CreationDate", XmlTimestamp(b.created_ms));
    x.Leaf("BucketRegion", b.region).Close("Bucket");
  }
  x.Close("Buckets").Close("ListAllMyBucketsResult");
  call.res.SetContent(x.Take(), "application/xml");
  return Status::Ok();
}

Status S3Service::CreateBucket(S3Call& call) {
  const std::string& name = call.address.bucket;
  if (Status s = ValidateBucketName(name); !s.ok()) return s;
  auto body = ReadSmallBody(call.req);
  if (!body.ok()) return body.status();
  std::string region = options_.region;
  bool constrained = false;
  if (!body->empty()) {
    auto doc = ParseXml(*body);
    if (!doc) {
      return Status::Error(errors::kMalformedXML,
                           "The XML you provided was not well-formed or did not validate "
                           "against our published schema");
    }
    std::string constraint = TextOf(ChildNamed(doc->document_element(), "LocationConstraint"));
    if (!constraint.empty()) {
      if (constraint == "us-east-1" || !IsKnownRegion(constraint)) {
        return Status::Error(errors::kInvalidLocationConstraint,
                             "The specified location-constraint is not valid");
      }
      region = constraint;
      constrained = true;
    }
  }
  // us-east-1 answers 200 to its owner creating a bucket again; other regions do not.
  const bool idempotent = !constrained && region == "us-east-1";
  if (Status s = objects_->CreateBucket(name, region, idempotent); !s.ok()) return s;
  call.res.SetHeader("Location", "/" + name);
  return Status::Ok();
}

Status S3Service::DeleteBucket(S3Call& call) {
  if (Status s = objects_->DeleteBucket(call.address.bucket); !s.ok()) return s;
  call.res.status = 204;
  return Status::Ok();
}

Status S3Service::HeadBucket(S3Call& call) {
  auto bucket = objects_->GetBucket(call.address.bucket);
  if (!bucket.ok()) return bucket.status();
  call.res.SetHeader("x-amz-bucket-region", bucket->region);
  call.res.SetHeader("x-amz-access-point-alias", "false");
  return Status::Ok();
}

Status S3Service::GetBucketLocation(S3Call& call) {
  auto bucket = objects_->GetBucket(call.address.bucket);
  if (!bucket.ok()) return bucket.status();
  XmlWriter x;
  // us-east-1 is the empty constraint.
  x.Open("LocationConstraint", kS3Namespace);
  x.Text(bucket->region == "us-east-1" ? "" : bucket->region).Close("LocationConstraint");
  call.res.SetContent(x.Take(), "application/xml");
  return Status::Ok();
}

Status S3Service::BucketSetting(S3Call& call, const std::string& setting) {
  const std::string& method = call.req.method;
  auto bucket = objects_->GetBucket(call.address.bucket);
  if (!bucket.ok()) return bucket.status();
  if (method == "GET") {
    auto it = bucket->settings.find(setting);
    if (it != bucket->settings.end()) {
      call.res.SetContent(it->second, setting == "policy" ? "application/json" : "application/xml");
      return Status::Ok();
    }
    if (auto empty = EmptySetting(setting)) {
      call.res.SetContent(std::move(*empty), "application/xml");
      return Status::Ok();
    }
    return NoSuchSetting(setting);
  }
  if (method == "PUT") {
    auto body = ReadSmallBody(call.req);
    if (!body.ok()) return body.status();
    if (setting != "policy" && !body->empty() && !ParseXml(*body)) {
      return Status::Error(errors::kMalformedXML,
                           "The XML you provided was not well-formed or did not validate "
                           "against our published schema");
    }
    if (Status s = objects_->SetBucketSetting(call.address.bucket, setting, std::move(*body));
        !s.ok()) {
      return s;
    }
    if (setting == "policy") call.res.status = 204;
    return Status::Ok();
  }
  if (method == "DELETE") {
    if (Status s = objects_->SetBucketSetting(call.address.bucket, setting, std::nullopt); !s.ok()) {
      return s;
    }
    call.res.status = 204;
    return Status::Ok();
  }
  return Status::Error(errors::kMethodNotAllowed,
                       "The specified method is not allowed against this resource.");
}

}  // namespace ll::s3

namespace ll::s3 {

Status S3Service::PutBucketVersioning(S3Call& call) {
  auto body = ReadSmallBody(call.req);
  if (!body.ok()) return body.status();
  auto doc = ParseXml(*body);
  const std::string status = doc ? TextOf(ChildNamed(doc->document_element(), "Status")) : "";
  if (status != "Enabled" && status != "Suspended") {
    return Status::Error(errors::kMalformedXML,
                         "The XML you provided was not well-formed or did not validate against "
                         "our published schema");
  }
  XmlWriter x;
  x.Open("VersioningConfiguration", kS3Namespace).Leaf("Status", status).Close("VersioningConfiguration");
  return objects_->SetVersioning(call.address.bucket, status, x.Take());
}

}  // namespace ll::s3
