// Every S3 error lambda-local emits, in one place: the Status code each one carries (S3's own
// error code, as in <Error><Code>), its HTTP status, and the XML document S3 answers with.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "http/http_message.h"

namespace ll::s3 {

namespace errors {
inline constexpr char kNoSuchBucket[] = "NoSuchBucket";
inline constexpr char kNoSuchKey[] = "NoSuchKey";
inline constexpr char kNoSuchUpload[] = "NoSuchUpload";
inline constexpr char kNoSuchVersion[] = "NoSuchVersion";
inline constexpr char kNoSuchTagSet[] = "NoSuchTagSet";
inline constexpr char kNoSuchBucketPolicy[] = "NoSuchBucketPolicy";
inline constexpr char kNoSuchCORSConfiguration[] = "NoSuchCORSConfiguration";
inline constexpr char kNoSuchLifecycleConfiguration[] = "NoSuchLifecycleConfiguration";
inline constexpr char kBucketAlreadyOwnedByYou[] = "BucketAlreadyOwnedByYou";
inline constexpr char kBucketNotEmpty[] = "BucketNotEmpty";
inline constexpr char kInvalidBucketName[] = "InvalidBucketName";
inline constexpr char kKeyTooLong[] = "KeyTooLongError";
inline constexpr char kInvalidArgument[] = "InvalidArgument";
inline constexpr char kInvalidRequest[] = "InvalidRequest";
inline constexpr char kInvalidDigest[] = "InvalidDigest";
inline constexpr char kBadDigest[] = "BadDigest";
inline constexpr char kIncompleteBody[] = "IncompleteBody";
inline constexpr char kMalformedXML[] = "MalformedXML";
inline constexpr char kInvalidRange[] = "InvalidRange";
inline constexpr char kPreconditionFailed[] = "PreconditionFailed";
inline constexpr char kNotModified[] = "NotModified";  // 304, no body
inline constexpr char kAccessDenied[] = "AccessDenied";
inline constexpr char kAuthorizationQueryParametersError[] = "AuthorizationQueryParametersError";
inline constexpr char kEntityTooLarge[] = "EntityTooLarge";
inline constexpr char kEntityTooSmall[] = "EntityTooSmall";
inline constexpr char kInvalidPart[] = "InvalidPart";
inline constexpr char kInvalidPartOrder[] = "InvalidPartOrder";
inline constexpr char kInvalidPartNumber[] = "InvalidPartNumber";
inline constexpr char kMethodNotAllowed[] = "MethodNotAllowed";
inline constexpr char kNotImplemented[] = "NotImplemented";
inline constexpr char kInternalError[] = "InternalError";
inline constexpr char kMissingContentLength[] = "MissingContentLength";
inline constexpr char kMetadataTooLarge[] = "MetadataTooLarge";
inline constexpr char kInvalidLocationConstraint[] = "InvalidLocationConstraint";
inline constexpr char kIllegalLocationConstraint[] = "IllegalLocationConstraintException";
}  // namespace errors

// The HTTP status S3 answers `code` with (500 for a code it does not know).
int HttpStatusOf(std::string_view code);

// What an error names besides its code and message: S3 adds <BucketName>, <Key>, ... elements.
struct ErrorContext {
  std::string bucket;
  std::string key;
  std::string request_id;
  std::string host_id;
  std::string extra_xml;  // more elements after <Message>, already escaped (e.g. <ArgumentName>)
};

// Writes `error` as S3 does: its status, and unless the request is a HEAD (or the status is
// 304) the XML body <Error><Code/><Message/>[<BucketName/>|<Key/>]<RequestId/><HostId/></Error>.
void WriteS3Error(HttpResponse& res, const Status& error, const ErrorContext& context,
                  bool head_request);

}  // namespace ll::s3
