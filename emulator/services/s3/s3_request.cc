#include "services/s3/s3_request.h"

#include <time.h>

#include <charconv>
#include <cstdint>
#include <cstring>

#include <fmt/format.h>

#include "base/strings.h"
#include "services/s3/s3_errors.h"
#include "services/s3/s3_xml.h"

namespace ll::s3 {

std::optional<uint64_t> ParseUnsigned(std::string_view text) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

std::string_view BucketOfVirtualHost(std::string_view host) {
  if (host.empty() || host.front() == '[') return {};
  if (size_t colon = host.rfind(':'); colon != std::string_view::npos) host = host.substr(0, colon);
  for (std::string_view suffix : {".s3.localhost", ".localhost"}) {
    if (EndsWith(host, suffix) && host.size() > suffix.size()) {
      return host.substr(0, host.size() - suffix.size());
    }
  }
  if (EndsWith(host, ".amazonaws.com")) {
    // <bucket>.s3.amazonaws.com, <bucket>.s3.<region>.amazonaws.com, <bucket>.s3-<region>...
    size_t s3 = host.rfind(".s3.");
    if (s3 == std::string_view::npos) s3 = host.rfind(".s3-");
    if (s3 != std::string_view::npos && s3 > 0) return host.substr(0, s3);
  }
  return {};
}

namespace {

bool IsIpv4(std::string_view name) {
  int parts = 0;
  size_t start = 0;
  while (start <= name.size()) {
    size_t dot = name.find('.', start);
    std::string_view part = name.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    auto n = ParseUnsigned(part);
    if (!n || *n > 255 || part.size() > 3) return false;
    ++parts;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return parts == 4;
}

int64_t ParseAmzDate(std::string_view text) {  // 20240101T000000Z, -1 when invalid
  std::string s(text);
  struct tm t;
  std::memset(&t, 0, sizeof t);
  const char* end = strptime(s.c_str(), "%Y%m%dT%H%M%SZ", &t);
  if (!end || *end != '\0') return -1;
  return int64_t(timegm(&t)) * 1000;
}

}  // namespace

S3Address AddressOf(std::string_view host, std::string_view path) {
  S3Address a;
  if (std::string_view bucket = BucketOfVirtualHost(host); !bucket.empty()) {
    a.bucket = bucket;
    if (!path.empty() && path.front() == '/') path.remove_prefix(1);
    a.key = path;
    return a;
  }
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  size_t slash = path.find('/');
  a.bucket = path.substr(0, slash);
  if (slash != std::string_view::npos) a.key = path.substr(slash + 1);
  return a;
}

Status ValidateBucketName(std::string_view name) {
  auto invalid = [](std::string_view why) {
    return Status::Error(errors::kInvalidBucketName,
                         fmt::format("The specified bucket is not valid. {}", why));
  };
  if (name.size() < 3 || name.size() > 63) {
    return invalid("Bucket name must be between 3 and 63 characters long.");
  }
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-')) {
      return invalid("Bucket name can contain only lowercase letters, numbers, periods and hyphens.");
    }
  }
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(name.front()) || !alnum(name.back())) {
    return invalid("Bucket name must begin and end with a letter or number.");
  }
  if (name.find("..") != std::string_view::npos) {
    return invalid("Bucket name must not contain two adjacent periods.");
  }
  if (IsIpv4(name)) return invalid("Bucket name must not be formatted as an IP address.");
  if (StartsWith(name, "xn--") || StartsWith(name, "sthree-") || EndsWith(name, "-s3alias") ||
      EndsWith(name, "--ol-s3")) {
    return invalid("Bucket name uses a reserved prefix or suffix.");
  }
  return Status::Ok();
}

Status ValidateKey(std::string_view key) {
  if (key.size() > kMaxKeyBytes) {
    return Status::Error(errors::kKeyTooLong, "Your key is too long");
  }
  return Status::Ok();
}

Result<int> ParsePartNumber(std::string_view text) {
  auto n = ParseUnsigned(text);
  if (!n || *n < 1 || *n > 10000) {
    return Status::Error(errors::kInvalidArgument,
                         "Part number must be an integer between 1 and 10000, inclusive");
  }
  return int(*n);
}

Result<std::optional<ByteRange>> ParseRange(std::string_view header, uint64_t size) {
  std::optional<ByteRange> none;
  if (!StartsWith(header, "bytes=")) return none;
  std::string_view spec = header.substr(6);
  if (spec.find(',') != std::string_view::npos) return none;  // several ranges: S3 sends all
  size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return none;
  std::string_view first_text = spec.substr(0, dash), last_text = spec.substr(dash + 1);
  auto unsatisfiable = [&] {
    return Status::Error(errors::kInvalidRange, "The requested range is not satisfiable");
  };
  if (first_text.empty()) {  // the last n bytes
    auto n = ParseUnsigned(last_text);
    if (!n) return none;
    if (*n == 0 || size == 0) return unsatisfiable();
    uint64_t length = std::min(*n, size);
    return std::optional<ByteRange>(ByteRange{size - length, size - 1});
  }
  auto first = ParseUnsigned(first_text);
  if (!first) return none;
  uint64_t last = size == 0 ? 0 : size - 1;
  if (!last_text.empty()) {
    auto parsed = ParseUnsigned(last_text);
    if (!parsed || *parsed < *first) return none;  // malformed: ignored, as S3 does
    last = std::min(*parsed, last);
  }
  if (*first >= size) return unsatisfiable();
  return std::optional<ByteRange>(ByteRange{*first, last});
}

Conditions ConditionsOf(const HttpRequest& req, std::string_view prefix) {
  auto header = [&](std::string_view name) {
    return std::string(req.Header(std::string(prefix) + std::string(name)));
  };
  Conditions c;
  c.if_match = header("if-match");
  c.if_none_match = header("if-none-match");
  c.if_modified_since = header("if-modified-since");
  c.if_unmodified_since = header("if-unmodified-since");
  return c;
}

namespace {

// Whether `etag` is one of the comma-separated entity tags of an If-Match / If-None-Match
// (quotes optional, "*" matches any).
bool EtagListMatches(std::string_view list, std::string_view etag) {
  auto unquote = [](std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    if (StartsWith(s, "W/")) s.remove_prefix(2);
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
    return s;
  };
  std::string_view bare = unquote(etag);
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    std::string_view item = unquote(list.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (item == "*" || item == bare) return true;
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return false;
}

}  // namespace

Status CheckConditions(const Conditions& c, std::string_view etag, int64_t last_modified_ms,
                       bool copy_source) {
  const int64_t modified_s = last_modified_ms / 1000;
  auto failed = [] {
    return Status::Error(errors::kPreconditionFailed,
                         "At least one of the pre-conditions you specified did not hold");
  };
  // For a copy, S3 answers 412 where a GET would answer 304.
  auto not_modified = [&] {
    return copy_source ? failed() : Status::Error(errors::kNotModified, "Not Modified");
  };
  bool match_held = false;
  if (!c.if_match.empty()) {
    if (!EtagListMatches(c.if_match, etag)) return failed();
    match_held = true;
  }
  if (!match_held && !c.if_unmodified_since.empty()) {
    if (auto since = ParseHttpDate(c.if_unmodified_since); since && modified_s > *since / 1000) {
      return failed();
    }
  }
  if (!c.if_none_match.empty()) {
    if (EtagListMatches(c.if_none_match, etag)) return not_modified();
  } else if (!c.if_modified_since.empty()) {
    if (auto since = ParseHttpDate(c.if_modified_since); since && modified_s <= *since / 1000) {
      return not_modified();
    }
  }
  return Status::Ok();
}

namespace {
constexpr uint64_t kMaxPresignedSeconds = 7 * 24 * 3600;  // SigV4's limit: a week
}  // namespace

Status CheckPresignedExpiry(const HttpRequest& req, int64_t now_ms) {
  auto expired = [] {
    return Status::Error(errors::kAccessDenied, "Request has expired");
  };
  if (req.HasParam("X-Amz-Credential")) {
    int64_t signed_at = ParseAmzDate(req.Param("X-Amz-Date"));
    auto seconds = ParseUnsigned(req.Param("X-Amz-Expires"));
    if (signed_at < 0 || !seconds) {
      return Status::Error(errors::kAuthorizationQueryParametersError,
                           "X-Amz-Date and X-Amz-Expires must be given in a presigned URL");
    }
    if (*seconds > kMaxPresignedSeconds) {
      return Status::Error(errors::kAuthorizationQueryParametersError,
                           "X-Amz-Expires must be less than a week (in seconds) that is 604800");
    }
    if (now_ms > signed_at + int64_t(*seconds) * 1000) return expired();
    return Status::Ok();
  }
  if (req.HasParam("AWSAccessKeyId") && req.HasParam("Signature") && req.HasParam("Expires")) {
    auto expires = ParseUnsigned(req.Param("Expires"));
    if (!expires) return expired();
    // Seconds since the epoch; past what milliseconds can hold is far in the future.
    if (*expires <= uint64_t(INT64_MAX / 1000) && now_ms > int64_t(*expires) * 1000) return expired();
  }
  return Status::Ok();
}

}  // namespace ll::s3
