// What an S3 request names and asks, read from its head: the bucket and key (path style or
// virtual-hosted), bucket name and key rules, byte ranges, conditional headers and the expiry
// of a presigned URL. Pure functions, so that each rule is tested on its own.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "http/http_message.h"

namespace ll::s3 {

inline constexpr size_t kMaxKeyBytes = 1024;

// A decimal number with nothing around it ("12"); nullopt for "", "-1", "1x", or an overflow.
std::optional<uint64_t> ParseUnsigned(std::string_view text);
// The bucket a virtual host names ("<bucket>.localhost[:port]", "<bucket>.s3.localhost",
// "<bucket>.s3[.<region>].amazonaws.com"), or "" for any other host. The front's router uses
// the same rule to send such requests to S3.
std::string_view BucketOfVirtualHost(std::string_view host);

struct S3Address {
  std::string bucket;  // "" for the service itself (ListBuckets)
  std::string key;     // "" for the bucket itself
};

// The bucket and key of a request: from a virtual host ("<bucket>.localhost[:port]",
// "<bucket>.s3[.<region>].amazonaws.com", ...) and the path, or path style
// ("/<bucket>/<key>"). `path` is the request path, percent-decoded once: the key is taken as
// it is, so "..", "//", "%" and spaces stay data.
S3Address AddressOf(std::string_view host, std::string_view path);

// InvalidBucketName, saying why, unless `name` follows S3's rules for new buckets: 3-63
// characters of a-z, 0-9, '.', '-', starting and ending with a letter or digit, no "..", not
// an IPv4 address, no "xn--" prefix or "-s3alias" / "--ol-s3" suffix.
Status ValidateBucketName(std::string_view name);
// KeyTooLongError over 1,024 bytes.
Status ValidateKey(std::string_view key);

// partNumber (GetObject, UploadPart): 1-10000, else InvalidArgument.
Result<int> ParsePartNumber(std::string_view text);

// A byte range of an object of `size` bytes: [first, last], inclusive.
struct ByteRange {
  uint64_t first = 0;
  uint64_t last = 0;
  uint64_t length() const { return last - first + 1; }
};
// The Range header "bytes=a-b", "bytes=a-" or "bytes=-n" against `size`. nullopt when the
// header is absent or not one range S3 honours (the whole object is then sent, as S3 does);
// InvalidRange when it is a valid range that no byte of the object satisfies.
Result<std::optional<ByteRange>> ParseRange(std::string_view header, uint64_t size);

// The conditional headers of a GET or HEAD (or of a copy's source, x-amz-copy-source-if-*)
// against an object's ETag and Last-Modified: Ok to go on, NotModified (304) or
// PreconditionFailed (412), with S3's precedence (If-Match over If-Unmodified-Since,
// If-None-Match over If-Modified-Since).
struct Conditions {
  std::string if_match;
  std::string if_none_match;
  std::string if_modified_since;
  std::string if_unmodified_since;
};
Conditions ConditionsOf(const HttpRequest& req, std::string_view prefix = "");
Status CheckConditions(const Conditions& conditions, std::string_view etag, int64_t last_modified_ms,
                       bool copy_source);

// AccessDenied "Request has expired" for a presigned URL past its expiry (SigV4
// X-Amz-Date + X-Amz-Expires, SigV2 Expires); Ok for any other request.
Status CheckPresignedExpiry(const HttpRequest& req, int64_t now_ms);

}  // namespace ll::s3
