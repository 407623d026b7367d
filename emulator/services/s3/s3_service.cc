#include "services/s3/s3_service.h"

#include <fmt/format.h>

#include "base/strings.h"
#include "http/http_body.h"
#include "services/s3/s3_xml.h"

namespace ll::s3 {
namespace {

// S3's request ids: 16 upper-case hex digits, and a longer base64 "host id".
std::string NewRequestId() {
  std::string id = RandomHex(16);
  for (char& c : id) c = char(toupper(static_cast<unsigned char>(c)));
  return id;
}

Status NotImplemented(std::string_view what) {
  return Status::Error(errors::kNotImplemented,
                       fmt::format("A header or query you provided implies functionality that is "
                                   "not implemented ({}).",
                                   what));
}

Status MethodNotAllowed() {
  return Status::Error(errors::kMethodNotAllowed,
                       "The specified method is not allowed against this resource.");
}

// Bucket subresources kept as sent and given back (not enforced): S3's name -> ours.
constexpr std::string_view kStoredSettings[] = {"policy", "cors", "lifecycle", "tagging",
                                                "versioning", "notification", "website",
                                                "encryption", "ownershipControls",
                                                "publicAccessBlock", "acl", "logging",
                                                "accelerate", "requestPayment"};

}  // namespace

S3Service::S3Service(S3Options options, std::unique_ptr<ObjectStore> objects, Notifier* notifier)
    : options_(std::move(options)), objects_(std::move(objects)), notifier_(notifier) {}

Status S3Service::Restore() {
  if (Status s = objects_->Restore(); !s.ok()) return s;
  if (!notifier_) return Status::Ok();
  for (const BucketInfo& bucket : objects_->ListBuckets()) {
    auto it = bucket.settings.find("notification");
    if (it == bucket.settings.end()) continue;
    NotificationConfigResult parsed = ParseNotificationConfiguration(it->second);
    if (parsed.ok()) notifier_->SetConfig(bucket.name, std::move(parsed.value()));
  }
  return Status::Ok();
}

void S3Service::Notify(const S3Call& call, std::string_view event_name, const std::string& key,
                       uint64_t size, const std::string& etag,
                       std::optional<std::string> version_id) {
  if (!notifier_) return;
  ObjectEvent event;
  event.event_name = event_name;
  event.bucket = call.address.bucket;
  event.key = key;
  event.size = size;
  event.etag = etag;
  event.version_id = std::move(version_id);
  event.request_id = call.request_id;
  event.host_id = call.host_id;
  // The caller's access key stands for the IAM principal AWS would name.
  std::string credential = call.req.HeaderValue("Authorization");
  size_t at = credential.find("Credential=");
  std::string access_key = at == std::string::npos ? call.req.Param("X-Amz-Credential")
                                                   : credential.substr(at + 11);
  access_key = access_key.substr(0, access_key.find('/'));
  if (access_key.empty()) access_key = call.req.Param("AWSAccessKeyId");
  event.principal_id = "AWS:" + (access_key.empty() ? std::string("anonymous") : access_key);
  notifier_->Notify(event);
}

Status S3Service::PutNotificationConfiguration(S3Call& call) {
  auto body = ReadSmallBody(call.req);
  if (!body.ok()) return body.status();
  NotificationConfigResult parsed = ParseNotificationConfiguration(*body);
  if (!parsed.ok()) {
    call.error_extra_xml = ErrorArgumentsXml(parsed.error());
    return Status::Error(parsed.error().code, parsed.error().message);
  }
  if (auto bucket = objects_->GetBucket(call.address.bucket); !bucket.ok()) return bucket.status();
  if (notifier_ && call.req.Header("x-amz-skip-destination-validation") != "true") {
    if (auto failed = notifier_->ValidateDestinations(parsed.value(), call.address.bucket,
                                                      call.request_id, call.host_id)) {
      call.error_extra_xml = ErrorArgumentsXml(*failed);
      return Status::Error(failed->code, failed->message);
    }
  }
  std::optional<std::string> stored;
  if (!parsed.value().empty()) stored = SerializeNotificationConfiguration(parsed.value());
  if (Status s = objects_->SetBucketSetting(call.address.bucket, "notification", std::move(stored));
      !s.ok()) {
    return s;
  }
  if (notifier_) notifier_->SetConfig(call.address.bucket, std::move(parsed.value()));
  return Status::Ok();
}

Result<std::string> ReadSmallBody(HttpRequest& req, size_t max_bytes) {
  if (Status read = ReadBody(req, max_bytes); !read.ok()) {
    if (read.code() == kHttpRequestTooLarge) {
      return Status::Error(errors::kEntityTooLarge,
                           "Your proposed upload exceeds the maximum allowed size");
    }
    return Status::Error(errors::kIncompleteBody,
                         "You did not provide the number of bytes specified by the "
                         "Content-Length HTTP header.");
  }
  return std::move(req.body);
}

void S3Service::Handle(HttpRequest& req, HttpResponse& res) {
  S3Call call{req, res, AddressOf(req.Header("host"), req.path), NewRequestId(),
              Base64Encode(RandomHex(48)), ""};
  res.status = 200;
  Status s = Dispatch(call);
  if (!s.ok()) {
    ErrorContext context{call.address.bucket, call.address.key, call.request_id, call.host_id,
                         call.error_extra_xml};
    WriteS3Error(res, s, context, req.method == "HEAD");
    // An unread body (an upload refused before it was read) is not worth draining.
    if (req.body_reader) req.keep_alive = false;
  }
  res.SetHeader("x-amz-request-id", call.request_id);
  res.SetHeader("x-amz-id-2", call.host_id);
  res.SetHeader("Server", "AmazonS3");
  res.SetHeader("Date", s3::HttpDate(NowEpochMs()));
}

Status S3Service::Dispatch(S3Call& call) {
  HttpRequest& req = call.req;
  const std::string& method = req.method;
  if (Status s = CheckPresignedExpiry(req, NowEpochMs()); !s.ok()) return s;
  const S3Address& a = call.address;
  if (a.bucket.empty()) {
    if (method == "GET") return ListBuckets(call);
    return MethodNotAllowed();
  }
  if (a.key.empty()) {
    if (req.HasParam("notification") && method == "PUT") return PutNotificationConfiguration(call);
    if (req.HasParam("versioning") && method == "PUT") return PutBucketVersioning(call);
    if (req.HasParam("versioning") && method != "GET") return MethodNotAllowed();
    if (req.HasParam("versions")) {
      if (method == "GET") return ListObjectVersions(call);
      return MethodNotAllowed();
    }
    for (std::string_view setting : kStoredSettings) {
      if (req.HasParam(setting)) return BucketSetting(call, std::string(setting));
    }
    if (req.HasParam("location")) {
      if (method == "GET") return GetBucketLocation(call);
      return MethodNotAllowed();
    }
    if (req.HasParam("delete")) {
      if (method == "POST") return DeleteObjects(call);
      return MethodNotAllowed();
    }
    if (req.HasParam("uploads")) {
      if (method == "GET") return ListMultipartUploads(call);
      return MethodNotAllowed();
    }
    if (method == "GET") return ListObjects(call, req.Param("list-type") == "2");
    if (method == "PUT") return CreateBucket(call);
    if (method == "DELETE") return DeleteBucket(call);
    if (method == "HEAD") return HeadBucket(call);
    return MethodNotAllowed();
  }
  if (Status s = ValidateKey(a.key); !s.ok()) return s;
  if (req.HasParam("uploads") || req.HasParam("uploadId")) return Multipart(call);
  if (req.HasParam("tagging")) return ObjectTagging(call);
  if (req.HasParam("acl")) {
    if (method == "PUT") return Status::Ok();  // accepted, as every ACL is private here
    return NotImplemented("object ACLs");
  }
  if (method == "PUT") {
    if (!req.Header("x-amz-copy-source").empty()) return CopyObject(call);
    return PutObject(call);
  }
  if (method == "GET") return GetObject(call, false);
  if (method == "HEAD") return GetObject(call, true);
  if (method == "DELETE") return DeleteObject(call);
  return MethodNotAllowed();
}

}  // namespace ll::s3
