// What S3 reads from a request head: addresses, bucket names and keys, ranges, conditions,
// presigned expiry.
#include "services/s3/s3_request.h"

#include <catch2/catch.hpp>

#include "services/s3/s3_errors.h"

using namespace ll;
using namespace ll::s3;

TEST_CASE("s3 request: path style and virtual hosts give the bucket and key", "[s3]") {
  auto a = AddressOf("127.0.0.1:4566", "/bucket/dir/a b/../%/x");
  CHECK(a.bucket == "bucket");
  CHECK(a.key == "dir/a b/../%/x");  // keys are data: nothing is normalised
  a = AddressOf("localhost:4566", "/bucket/");
  CHECK(a.bucket == "bucket");
  CHECK(a.key.empty());
  a = AddressOf("localhost", "/");
  CHECK(a.bucket.empty());
  for (const char* host : {"my.bucket.localhost:4566", "my.bucket.s3.localhost",
                           "my.bucket.s3.amazonaws.com", "my.bucket.s3.eu-west-1.amazonaws.com",
                           "my.bucket.s3-eu-west-1.amazonaws.com"}) {
    INFO(host);
    a = AddressOf(host, "//key//with//slashes");
    CHECK(a.bucket == "my.bucket");
    CHECK(a.key == "/key//with//slashes");
  }
  a = AddressOf("[::1]:4566", "/b/k");
  CHECK(a.bucket == "b");
}

TEST_CASE("s3 request: bucket names follow S3's rules", "[s3]") {
  CHECK(ValidateBucketName(std::string(63, 'a')).ok());
  for (const char* good : {"abc", "my-bucket.v2", "a1b", "123"}) {
    INFO(good);
    CHECK(ValidateBucketName(good).ok());
  }
  for (const char* bad : {"ab", "Upper", "-lead", "trail-", "a..b", "192.168.1.1", "xn--abc",
                          "bucket-s3alias", "under_score", "sp ace", ""}) {
    INFO(bad);
    Status s = ValidateBucketName(bad);
    CHECK(s.code() == errors::kInvalidBucketName);
  }
  CHECK(ValidateBucketName(std::string(64, 'a')).code() == errors::kInvalidBucketName);
  CHECK(ValidateKey(std::string(1024, 'k')).ok());
  CHECK(ValidateKey(std::string(1025, 'k')).code() == errors::kKeyTooLong);
}

TEST_CASE("s3 request: ranges", "[s3]") {
  auto range = [](std::string_view header, uint64_t size) { return ParseRange(header, size); };
  auto r = range("bytes=0-4", 10);
  REQUIRE(r.ok());
  REQUIRE(*r);
  CHECK((*r)->first == 0);
  CHECK((*r)->last == 4);
  r = range("bytes=5-", 10);
  CHECK((*r)->first == 5);
  CHECK((*r)->last == 9);
  r = range("bytes=-3", 10);
  CHECK((*r)->first == 7);
  CHECK((*r)->length() == 3);
  r = range("bytes=-30", 10);  // more than the object: all of it
  CHECK((*r)->first == 0);
  r = range("bytes=8-100", 10);  // clipped
  CHECK((*r)->last == 9);
  // Not satisfiable.
  CHECK(range("bytes=10-", 10).status().code() == errors::kInvalidRange);
  CHECK(range("bytes=-0", 10).status().code() == errors::kInvalidRange);
  CHECK(range("bytes=0-0", 0).status().code() == errors::kInvalidRange);
  // Ignored: the whole object is sent.
  for (const char* ignored : {"", "items=0-1", "bytes=5-2", "bytes=a-b", "bytes=0-1,3-4", "bytes=5"}) {
    INFO(ignored);
    auto i = range(ignored, 10);
    REQUIRE(i.ok());
    CHECK_FALSE(*i);
  }
}

TEST_CASE("s3 request: conditional headers, with S3's precedence", "[s3]") {
  const std::string etag = "\"abc\"";
  const int64_t modified = 1700000000000;  // Tue, 14 Nov 2023 22:13:20 GMT
  const char* before = "Mon, 13 Nov 2023 00:00:00 GMT";
  const char* after = "Wed, 15 Nov 2023 00:00:00 GMT";
  auto check = [&](Conditions c, bool copy = false) {
    return CheckConditions(c, etag, modified, copy).code();
  };
  CHECK(check({}) == "");
  CHECK(check({"\"abc\"", "", "", ""}) == "");
  CHECK(check({"abc", "", "", ""}) == "");      // quotes optional
  CHECK(check({"*", "", "", ""}) == "");
  CHECK(check({"\"x\", \"abc\"", "", "", ""}) == "");
  CHECK(check({"\"x\"", "", "", ""}) == errors::kPreconditionFailed);
  CHECK(check({"", "\"abc\"", "", ""}) == errors::kNotModified);
  CHECK(check({"", "\"abc\"", "", ""}, true) == errors::kPreconditionFailed);  // a copy: 412
  CHECK(check({"", "\"x\"", "", ""}) == "");
  CHECK(check({"", "", after, ""}) == errors::kNotModified);
  CHECK(check({"", "", before, ""}) == "");
  CHECK(check({"", "", "", before}) == errors::kPreconditionFailed);
  CHECK(check({"", "", "", after}) == "");
  // If-Match true and If-Unmodified-Since false: 200. If-None-Match false and
  // If-Modified-Since true... If-None-Match decides.
  CHECK(check({"\"abc\"", "", "", before}) == "");
  CHECK(check({"", "\"x\"", after, ""}) == "");
  CHECK(check({"", "", "not a date", ""}) == "");  // an invalid date is ignored
}

TEST_CASE("s3 request: presigned URLs expire", "[s3]") {
  HttpRequest req;
  CHECK(CheckPresignedExpiry(req, 0).ok());  // not presigned
  req.params = {{"X-Amz-Credential", "AKID/20240101/us-east-1/s3/aws4_request"},
                {"X-Amz-Date", "20240101T000000Z"},
                {"X-Amz-Expires", "60"}};
  const int64_t signed_at = 1704067200000;  // 2024-01-01T00:00:00Z
  CHECK(CheckPresignedExpiry(req, signed_at + 60000).ok());
  Status expired = CheckPresignedExpiry(req, signed_at + 60001);
  CHECK(expired.code() == errors::kAccessDenied);
  CHECK(expired.message() == "Request has expired");
  req.params = {{"X-Amz-Credential", "a/b"}, {"X-Amz-Date", "20240101T000000Z"},
                {"X-Amz-Expires", "9223372036854775807"}};
  CHECK(CheckPresignedExpiry(req, signed_at).code() == errors::kAuthorizationQueryParametersError);
  req.params = {{"AWSAccessKeyId", "AKID"}, {"Signature", "x"}, {"Expires", "18446744073709551615"}};
  CHECK(CheckPresignedExpiry(req, signed_at).ok());
  req.params = {{"AWSAccessKeyId", "AKID"}, {"Signature", "x"}, {"Expires", "1704067200"}};
  CHECK(CheckPresignedExpiry(req, signed_at).ok());
  CHECK(CheckPresignedExpiry(req, signed_at + 1000).code() == errors::kAccessDenied);
}

TEST_CASE("s3 request: part numbers are 1 to 10000", "[s3]") {
  CHECK(*ParsePartNumber("1") == 1);
  CHECK(*ParsePartNumber("10000") == 10000);
  for (const char* bad : {"0", "10001", "-1", "", "1x", "x"}) {
    INFO(bad);
    CHECK(ParsePartNumber(bad).status().code() == errors::kInvalidArgument);
  }
}
