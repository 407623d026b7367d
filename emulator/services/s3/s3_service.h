// S3Service: S3's REST-XML API over an ObjectStore: each request is dispatched by method,
// bucket, key and subresource to one operation (bucket_operations.cc, object_operations.cc,
// list_operations.cc), and its Status turned into S3's answer in one place.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "http/http_message.h"
#include "services/s3/notifier.h"
#include "services/s3/object_store.h"
#include "services/s3/s3_errors.h"
#include "services/s3/s3_request.h"

namespace ll::s3 {

// The one owner every bucket and object has here.
inline constexpr char kOwnerId[] = "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a";
inline constexpr char kOwnerName[] = "lambda-local";

struct S3Options {
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
};

// One request while it is answered.
struct S3Call {
  HttpRequest& req;
  HttpResponse& res;
  S3Address address;
  std::string request_id;
  std::string host_id;
  std::string error_extra_xml;  // an operation's extra error elements, escaped
};


class S3Service {
 public:
  // `notifier` (may be null: no notifications) outlives the service.
  S3Service(S3Options options, std::unique_ptr<ObjectStore> objects, Notifier* notifier);

  // Brings back the kept buckets, objects and notification configurations.
  Status Restore();

  // Answers one request routed to S3; its body is unread (streamed by PutObject).
  void Handle(HttpRequest& req, HttpResponse& res);

  ObjectStore& objects() { return *objects_; }
  const S3Options& options() const { return options_; }

 private:
  Status Dispatch(S3Call& call);
  // Tells the notifier of a change to an object (event_name "s3:ObjectCreated:Put", ...).
  // `version_id`: the version's id when the bucket is versioned.
  void Notify(const S3Call& call, std::string_view event_name, const std::string& key,
              uint64_t size, const std::string& etag,
              std::optional<std::string> version_id = std::nullopt);
  // ObjectRemoved:Delete, or :DeleteMarkerCreated, for what a delete did.
  void NotifyDelete(const S3Call& call, const std::string& key, const DeleteOutcome& out,
                    bool by_version);
  Status PutBucketVersioning(S3Call& call);
  Status ListObjectVersions(S3Call& call);
  Status PutNotificationConfiguration(S3Call& call);

  // bucket_operations.cc
  Status ListBuckets(S3Call& call);
  Status CreateBucket(S3Call& call);
  Status DeleteBucket(S3Call& call);
  Status HeadBucket(S3Call& call);
  Status GetBucketLocation(S3Call& call);
  // The stored subresources (?policy, ?cors, ?lifecycle, ?tagging, ?versioning, ...).
  Status BucketSetting(S3Call& call, const std::string& setting);
  // list_operations.cc
  Status ListObjects(S3Call& call, bool v2);
  // object_operations.cc
  Status PutObject(S3Call& call);
  Status CopyObject(S3Call& call);
  Status GetObject(S3Call& call, bool head);
  Status DeleteObject(S3Call& call);
  Status DeleteObjects(S3Call& call);
  Status ObjectTagging(S3Call& call);
  // multipart_operations.cc
  Status Multipart(S3Call& call);  // a request with ?uploads or ?uploadId on a key
  Status CreateMultipartUpload(S3Call& call);
  Status UploadPart(S3Call& call);
  Status CompleteMultipartUpload(S3Call& call);
  Status ListParts(S3Call& call);
  Status ListMultipartUploads(S3Call& call);

  const S3Options options_;
  const std::unique_ptr<ObjectStore> objects_;
  Notifier* const notifier_;
};

// The headers of a PUT (or of a copy that replaces them) S3 keeps with an object.
// MetadataTooLarge over 2 KB of x-amz-meta-* names and values.
Status ReadObjectHeaders(const HttpRequest& req, ObjectMeta& meta);
// x-amz-copy-source: "/bucket/key" or "bucket/key", URL-encoded, maybe with "?versionId=".
Result<S3Address> CopySourceOf(std::string_view header);
// The versionId of x-amz-copy-source, or "" when it names none.
std::string CopySourceVersionOf(std::string_view header);

// Reads the whole (small, XML) body of a request; EntityTooLarge over `max_bytes`.
Result<std::string> ReadSmallBody(HttpRequest& req, size_t max_bytes = 1 << 20);

}  // namespace ll::s3
