// ListObjects (v1, marker paging) and ListObjectsV2 (continuation tokens) of S3Service.
#include <charconv>

#include <fmt/format.h>

#include "base/strings.h"
#include "services/s3/s3_service.h"
#include "services/s3/s3_xml.h"

namespace ll::s3 {
namespace {

// encoding-type=url: S3 percent-encodes keys and prefixes in the answer (not '/').
std::string UrlEncoded(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
      out += char(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// Tokens this server made start so; any other is refused, as S3 refuses tokens it did not issue.
constexpr char kTokenPrefix[] = "lambda-local:1:";

Status InvalidArgument(std::string message) {
  return Status::Error(errors::kInvalidArgument, std::move(message));
}

// max-keys: 0-1000 (more is taken as 1000, as S3 does); 1000 when absent.
Status ReadMaxKeys(const HttpRequest& req, size_t* max_keys) {
  if (!req.HasParam("max-keys")) return Status::Ok();
  auto n = ParseUnsigned(req.Param("max-keys"));
  if (!n) return InvalidArgument("Provided max-keys not an integer or within integer range");
  *max_keys = size_t(std::min<uint64_t>(*n, 1000));
  return Status::Ok();
}

}  // namespace

Status S3Service::ListObjects(S3Call& call, bool v2) {
  const HttpRequest& req = call.req;
  ListQuery q;
  q.prefix = req.Param("prefix");
  q.delimiter = req.Param("delimiter");
  const std::string encoding = req.Param("encoding-type");
  if (!encoding.empty() && encoding != "url") {
    return InvalidArgument("Invalid Encoding Method specified in Request");
  }
  const bool url = encoding == "url";
  if (Status s = ReadMaxKeys(req, &q.max_keys); !s.ok()) return s;
  std::string token, start_after, marker;
  if (v2) {
    token = req.Param("continuation-token");
    start_after = req.Param("start-after");
    if (req.HasParam("continuation-token")) {
      auto decoded = Base64Decode(token);
      if (!decoded || !StartsWith(*decoded, kTokenPrefix)) {
        call.error_extra_xml = XmlElement("ArgumentName", "continuation-token") +
                               XmlElement("ArgumentValue", token);
        return InvalidArgument("The continuation token provided is incorrect");
      }
      q.after = decoded->substr(sizeof(kTokenPrefix) - 1);
    } else {
      q.after = start_after;
    }
  } else {
    marker = req.Param("marker");
    q.after = marker;
  }
  auto page = objects_->List(call.address.bucket, q);
  if (!page.ok()) return page.status();
  auto text = [&](std::string_view s) { return url ? UrlEncoded(s) : std::string(s); };

  XmlWriter x;
  x.Open("ListBucketResult", kS3Namespace);
  x.Leaf("Name", call.address.bucket);
  x.Leaf("Prefix", text(q.prefix));
  if (v2) {
    if (req.HasParam("continuation-token")) x.Leaf("ContinuationToken", token);
    if (req.HasParam("start-after")) x.Leaf("StartAfter", text(start_after));
    x.Number("KeyCount", page->objects.size() + page->common_prefixes.size());
  } else {
    x.Leaf("Marker", text(marker));
    // S3 gives NextMarker only with a delimiter; without one the last key is the marker.
    if (page->truncated && !q.delimiter.empty()) x.Leaf("NextMarker", text(page->last));
  }
  x.Number("MaxKeys", q.max_keys);
  if (!q.delimiter.empty()) x.Leaf("Delimiter", text(q.delimiter));
  if (url) x.Leaf("EncodingType", "url");
  x.Bool("IsTruncated", page->truncated);
  if (v2 && page->truncated) x.Leaf("NextContinuationToken", Base64Encode(kTokenPrefix + page->last));
  const bool owner = !v2 || req.Param("fetch-owner") == "true";
  for (const auto& [key, meta] : page->objects) {
    x.Open("Contents").Leaf("Key", text(key));
    x.Leaf("LastModified", XmlTimestamp(meta.last_modified_ms)).Leaf("ETag", meta.etag);
    if (!meta.checksum_algorithm.empty()) x.Leaf("ChecksumAlgorithm", meta.checksum_algorithm);
    x.Number("Size", meta.size);
    if (owner) x.Open("Owner").Leaf("ID", kOwnerId).Leaf("DisplayName", kOwnerName).Close("Owner");
    x.Leaf("StorageClass", meta.storage_class.empty() ? "STANDARD" : meta.storage_class);
    x.Close("Contents");
  }
  for (const std::string& prefix : page->common_prefixes) {
    x.Open("CommonPrefixes").Leaf("Prefix", text(prefix)).Close("CommonPrefixes");
  }
  x.Close("ListBucketResult");
  call.res.SetContent(x.Take(), "application/xml");
  return Status::Ok();
}

}  // namespace ll::s3

namespace ll::s3 {

Status S3Service::ListObjectVersions(S3Call& call) {
  const HttpRequest& req = call.req;
  VersionQuery q;
  q.prefix = req.Param("prefix");
  q.delimiter = req.Param("delimiter");
  q.key_marker = req.Param("key-marker");
  q.version_marker = req.Param("version-id-marker");
  const bool url = req.Param("encoding-type") == "url";
  if (Status s = ReadMaxKeys(req, &q.max_keys); !s.ok()) return s;
  auto page = objects_->ListVersions(call.address.bucket, q);
  if (!page.ok()) return page.status();
  auto text = [&](std::string_view s) { return url ? UrlEncoded(s) : std::string(s); };
  XmlWriter x;
  x.Open("ListVersionsResult", kS3Namespace).Leaf("Name", call.address.bucket);
  x.Leaf("Prefix", text(q.prefix)).Leaf("KeyMarker", text(q.key_marker));
  x.Leaf("VersionIdMarker", q.version_marker);
  if (page->truncated) {
    x.Leaf("NextKeyMarker", text(page->next_key_marker));
    if (!page->next_version_marker.empty()) x.Leaf("NextVersionIdMarker", page->next_version_marker);
  }
  x.Number("MaxKeys", q.max_keys);
  if (!q.delimiter.empty()) x.Leaf("Delimiter", text(q.delimiter));
  if (url) x.Leaf("EncodingType", "url");
  x.Bool("IsTruncated", page->truncated);
  for (size_t i = 0; i < page->versions.size(); ++i) {
    const auto& [key, v] = page->versions[i];
    const char* element = v.delete_marker ? "DeleteMarker" : "Version";
    x.Open(element).Leaf("Key", text(key)).Leaf("VersionId", ShownVersionId(v.version_id));
    x.Bool("IsLatest", page->latest[i]).Leaf("LastModified", XmlTimestamp(v.last_modified_ms));
    if (!v.delete_marker) {
      x.Leaf("ETag", v.etag).Number("Size", v.size);
      x.Leaf("StorageClass", v.storage_class.empty() ? "STANDARD" : v.storage_class);
    }
    x.Open("Owner").Leaf("ID", kOwnerId).Leaf("DisplayName", kOwnerName).Close("Owner");
    x.Close(element);
  }
  for (const std::string& prefix : page->common_prefixes) {
    x.Open("CommonPrefixes").Leaf("Prefix", text(prefix)).Close("CommonPrefixes");
  }
  x.Close("ListVersionsResult");
  call.res.SetContent(x.Take(), "application/xml");
  return Status::Ok();
}

}  // namespace ll::s3
