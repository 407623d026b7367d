#include "services/s3/s3_errors.h"

#include <string_view>
#include <utility>

#include "services/s3/s3_xml.h"

namespace ll::s3 {

int HttpStatusOf(std::string_view code) {
  static constexpr std::pair<std::string_view, int> kStatuses[] = {
      {errors::kNoSuchBucket, 404},
      {errors::kNoSuchKey, 404},
      {errors::kNoSuchUpload, 404},
      {errors::kNoSuchVersion, 404},
      {errors::kNoSuchTagSet, 404},
      {errors::kNoSuchBucketPolicy, 404},
      {errors::kNoSuchCORSConfiguration, 404},
      {errors::kNoSuchLifecycleConfiguration, 404},
      {errors::kBucketAlreadyOwnedByYou, 409},
      {errors::kBucketNotEmpty, 409},
      {errors::kInvalidBucketName, 400},
      {errors::kKeyTooLong, 400},
      {errors::kInvalidArgument, 400},
      {errors::kInvalidRequest, 400},
      {errors::kInvalidDigest, 400},
      {errors::kBadDigest, 400},
      {errors::kIncompleteBody, 400},
      {errors::kMalformedXML, 400},
      {errors::kInvalidRange, 416},
      {errors::kPreconditionFailed, 412},
      {errors::kNotModified, 304},
      {errors::kAccessDenied, 403},
      {errors::kAuthorizationQueryParametersError, 400},
      {errors::kEntityTooLarge, 400},
      {errors::kEntityTooSmall, 400},
      {errors::kInvalidPart, 400},
      {errors::kInvalidPartOrder, 400},
      {errors::kInvalidPartNumber, 416},
      {errors::kMethodNotAllowed, 405},
      {errors::kNotImplemented, 501},
      {errors::kMissingContentLength, 411},
      {errors::kMetadataTooLarge, 400},
      {errors::kInvalidLocationConstraint, 400},
      {errors::kIllegalLocationConstraint, 400},
  };
  for (const auto& [name, status] : kStatuses) {
    if (name == code) return status;
  }
  return 500;
}

void WriteS3Error(HttpResponse& res, const Status& error, const ErrorContext& context,
                  bool head_request) {
  const std::string code = error.code().empty() ? errors::kInternalError : error.code();
  res.status = HttpStatusOf(code);
  res.ClearBody();
  if (head_request || res.status == 304) return;
  XmlWriter x;
  x.Open("Error");
  x.Leaf("Code", code);
  x.Leaf("Message", error.message());
  x.Raw(context.extra_xml);
  if (code == errors::kNoSuchBucket || code == errors::kBucketNotEmpty ||
      code == errors::kBucketAlreadyOwnedByYou || code == errors::kInvalidBucketName) {
    if (!context.bucket.empty()) x.Leaf("BucketName", context.bucket);
  }
  if (code == errors::kNoSuchKey && !context.key.empty()) x.Leaf("Key", context.key);
  x.Leaf("RequestId", context.request_id);
  x.Leaf("HostId", context.host_id);
  x.Close("Error");
  res.SetContent(x.Take(), "application/xml");
}

}  // namespace ll::s3
