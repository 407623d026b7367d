// The object operations of S3Service: put, get and head (ranges, conditions, overrides),
// delete (one or many), copy, and an object's tags.
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <utility>

#include <fmt/format.h>

#include "base/strings.h"
#include "model/limits.h"
#include "services/s3/checksums.h"
#include "services/s3/object_body.h"
#include "services/s3/s3_service.h"
#include "services/s3/s3_xml.h"

namespace ll::s3 {
namespace {

constexpr uint64_t kMaxPutBytes = 5ull << 30;  // S3's largest single PUT: 5 GiB
constexpr size_t kMaxDeleteKeys = 1000;
constexpr size_t kMaxUserMetadataBytes = 2048;  // x-amz-meta-* names and values, in all

// DeleteObjects needs a digest of its body (the model's requestChecksumRequired): Content-MD5
// or an x-amz-checksum-* header, and it must match.
Status CheckBodyDigest(const HttpRequest& req, std::string_view body) {
  bool given = false;
  if (std::string_view md5 = req.Header("content-md5"); !md5.empty()) {
    given = true;
    auto raw = Base64DecodeStrict(md5);
    if (!raw || raw->size() != 16) {
      return Status::Error(errors::kInvalidDigest, "The Content-MD5 you specified was not valid.");
    }
    if (*raw != Md5Digest(body)) {
      return Status::Error(errors::kBadDigest,
                           "The Content-MD5 you specified did not match what we received.");
    }
  }
  for (const auto& [name, value] : req.headers) {
    auto algorithm = ChecksumAlgorithmFromHeader(name);
    if (!algorithm) continue;
    given = true;
    auto raw = Base64DecodeStrict(value);
    if (!raw || *raw != Digest(*algorithm, body)) {
      return Status::Error(errors::kBadDigest,
                           fmt::format("The {} you specified did not match the calculated checksum.",
                                       ChecksumAlgorithmName(*algorithm)));
    }
  }
  if (!given) {
    return Status::Error(errors::kInvalidRequest,
                         "Missing required header for this request: Content-MD5");
  }
  return Status::Ok();
}

Status MalformedXml() {
  return Status::Error(errors::kMalformedXML,
                       "The XML you provided was not well-formed or did not validate against our "
                       "published schema");
}

// "a=1&b=2" (x-amz-tagging, URL-encoded) -> pairs.
std::vector<std::pair<std::string, std::string>> TagsOfHeader(std::string_view header) {
  return ParseQuery(header);
}

// The headers GET and HEAD answer with, from what was kept.
void WriteMetaHeaders(HttpResponse& res, const ObjectMeta& meta) {
  res.SetHeader("ETag", meta.etag);
  res.SetHeader("Last-Modified", HttpDate(meta.last_modified_ms));
  res.SetHeader("Accept-Ranges", "bytes");
  res.SetHeader("Content-Type", meta.content_type.empty() ? "binary/octet-stream" : meta.content_type);
  auto optional = [&](std::string_view name, const std::string& value) {
    if (!value.empty()) res.SetHeader(name, value);
  };
  optional("Content-Encoding", meta.content_encoding);
  optional("Content-Disposition", meta.content_disposition);
  optional("Content-Language", meta.content_language);
  optional("Cache-Control", meta.cache_control);
  optional("Expires", meta.expires);
  optional("x-amz-storage-class", meta.storage_class);
  optional("x-amz-website-redirect-location", meta.website_redirect);
  for (const auto& [name, value] : meta.metadata) res.SetHeader("x-amz-meta-" + name, value);
  if (!meta.tags.empty()) res.SetHeader("x-amz-tagging-count", std::to_string(meta.tags.size()));
}

// Closes a file descriptor on every path that does not hand it on.
class FileCloser {
 public:
  explicit FileCloser(int fd) : fd_(fd) {}
  ~FileCloser() {
    if (fd_ >= 0) close(fd_);
  }
  int Release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

}  // namespace

Status ReadObjectHeaders(const HttpRequest& req, ObjectMeta& meta) {
  meta.content_type = req.Header("content-type");
  meta.content_disposition = req.Header("content-disposition");
  meta.content_language = req.Header("content-language");
  meta.cache_control = req.Header("cache-control");
  meta.expires = req.Header("expires");
  meta.storage_class = req.Header("x-amz-storage-class");
  if (meta.storage_class == "STANDARD") meta.storage_class.clear();
  meta.website_redirect = req.Header("x-amz-website-redirect-location");
  meta.metadata.clear();
  for (const auto& [name, value] : req.headers) {
    if (StartsWith(name, "x-amz-meta-")) meta.metadata.emplace_back(name.substr(11), value);
  }
  size_t bytes = 0;
  for (const auto& [name, value] : meta.metadata) bytes += name.size() + value.size();
  if (bytes > kMaxUserMetadataBytes) {
    return Status::Error(errors::kMetadataTooLarge,
                         "Your metadata headers exceed the maximum allowed metadata size");
  }
  return Status::Ok();
}

std::string CopySourceVersionOf(std::string_view header) {
  size_t at = header.find("?versionId=");
  return at == std::string_view::npos ? std::string() : PercentDecode(header.substr(at + 11));
}

Result<S3Address> CopySourceOf(std::string_view header) {
  std::string_view source = header;
  if (size_t q = source.find('?'); q != std::string_view::npos) source = source.substr(0, q);
  std::string decoded = PercentDecode(source);
  std::string_view path = decoded;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  size_t slash = path.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == path.size()) {
    return Status::Error(errors::kInvalidArgument, "Invalid copy source object key");
  }
  return S3Address{std::string(path.substr(0, slash)), std::string(path.substr(slash + 1))};
}

Status S3Service::PutObject(S3Call& call) {
  HttpRequest& req = call.req;
  const S3Address& a = call.address;
  // Refused before a byte of the body is read.
  auto bucket = objects_->GetBucket(a.bucket);
  if (!bucket.ok()) return bucket.status();
  if (req.Header("content-length").empty() && req.Header("transfer-encoding").empty()) {
    return Status::Error(errors::kMissingContentLength,
                         "You must provide the Content-Length HTTP header.");
  }
  ObjectMeta meta;
  if (Status s = ReadObjectHeaders(req, meta); !s.ok()) return s;
  meta.tags = TagsOfHeader(req.Header("x-amz-tagging"));
  auto body = ReceiveBody(req, *objects_, kMaxPutBytes);
  if (!body.ok()) return body.status();
  meta.blob = body->blob;
  meta.size = body->size;
  meta.etag = Md5Etag(body->md5);
  meta.content_encoding = body->content_encoding;
  meta.checksum_algorithm = body->checksum_algorithm;
  meta.checksum = body->checksum;
  meta.last_modified_ms = NowEpochMs();
  const std::string etag = meta.etag;
  std::string version_id;
  if (Status s = objects_->PutObject(a.bucket, a.key, std::move(meta), &version_id); !s.ok()) {
    return s;
  }
  call.res.SetHeader("ETag", etag);
  std::optional<std::string> shown;
  if (!bucket->versioning().empty()) {
    shown = ShownVersionId(version_id);
    call.res.SetHeader("x-amz-version-id", *shown);
  }
  Notify(call, "s3:ObjectCreated:Put", a.key, body->size, etag, shown);
  if (!body->checksum_algorithm.empty()) {
    call.res.SetHeader(ChecksumHeaderName(*ParseChecksumAlgorithm(body->checksum_algorithm)),
                       body->checksum);
  }
  return Status::Ok();
}

Status S3Service::GetObject(S3Call& call, bool head) {
  HttpRequest& req = call.req;
  HttpResponse& res = call.res;
  const std::string version = req.Param("versionId");
  ObjectMeta marker;
  auto opened = objects_->OpenObject(call.address.bucket, call.address.key,
                                     req.HasParam("versionId") ? &version : nullptr, &marker);
  if (!opened.ok()) {
    if (marker.delete_marker) {
      res.SetHeader("x-amz-delete-marker", "true");
      res.SetHeader("x-amz-version-id", ShownVersionId(marker.version_id));
      if (opened.status().code() == errors::kMethodNotAllowed) {
        res.SetHeader("Allow", "DELETE");
        res.SetHeader("Last-Modified", HttpDate(marker.last_modified_ms));
      }
    }
    return opened.status();
  }
  FileCloser file(opened->fd);
  const ObjectMeta& meta = opened->meta;
  if (!meta.version_id.empty() || req.HasParam("versionId")) {
    res.SetHeader("x-amz-version-id", ShownVersionId(meta.version_id));
  }
  if (Status s = CheckConditions(ConditionsOf(req), meta.etag, meta.last_modified_ms, false);
      !s.ok()) {
    if (s.code() == errors::kNotModified) {  // 304 with the validators, and no body
      res.SetHeader("ETag", meta.etag);
      res.SetHeader("Last-Modified", HttpDate(meta.last_modified_ms));
    }
    return s;
  }
  ByteRange range{0, meta.size == 0 ? 0 : meta.size - 1};
  bool partial = false;
  if (req.HasParam("partNumber")) {
    // One part of a multipart object, as a ranged GET (a single-part object has part 1 only).
    if (!req.Header("range").empty()) {
      return Status::Error(errors::kInvalidRequest,
                           "Cannot specify both Range header and partNumber query parameter");
    }
    auto part = ParsePartNumber(req.Param("partNumber"));
    if (!part.ok()) return part.status();
    const size_t count = std::max<size_t>(meta.part_sizes.size(), 1);
    if (size_t(*part) > count) {
      return Status::Error(errors::kInvalidPartNumber, "The requested partnumber is not satisfiable");
    }
    uint64_t first = 0, length = meta.size;
    if (!meta.part_sizes.empty()) {
      for (int i = 0; i + 1 < *part; ++i) first += meta.part_sizes[size_t(i)];
      length = meta.part_sizes[size_t(*part - 1)];
      res.SetHeader("x-amz-mp-parts-count", std::to_string(meta.part_sizes.size()));
    }
    if (length > 0) {
      range = ByteRange{first, first + length - 1};
      partial = true;
    }
  } else if (std::string_view header = req.Header("range"); !header.empty()) {
    auto parsed = ParseRange(header, meta.size);
    if (!parsed.ok()) {
      res.SetHeader("Content-Range", fmt::format("bytes */{}", meta.size));
      call.error_extra_xml = XmlElement("RangeRequested", header) +
                             XmlElement("ActualObjectSize", std::to_string(meta.size));
      return parsed.status();
    }
    if (*parsed) {
      range = **parsed;
      partial = true;
    }
  }
  const uint64_t length = partial ? range.length() : meta.size;
  res.SetFileBody(file.Release(), range.first, length,
                  meta.content_type.empty() ? "binary/octet-stream" : meta.content_type);
  WriteMetaHeaders(res, meta);
  if (partial) {
    res.status = 206;
    res.SetHeader("Content-Range", fmt::format("bytes {}-{}/{}", range.first, range.last, meta.size));
  } else if (req.Header("x-amz-checksum-mode") == "ENABLED" && !meta.checksum_algorithm.empty()) {
    res.SetHeader(ChecksumHeaderName(*ParseChecksumAlgorithm(meta.checksum_algorithm)), meta.checksum);
  }
  // response-* overrides, as S3 takes them on a GET.
  static constexpr std::pair<std::string_view, std::string_view> kOverrides[] = {
      {"response-content-type", "Content-Type"},
      {"response-content-language", "Content-Language"},
      {"response-expires", "Expires"},
      {"response-cache-control", "Cache-Control"},
      {"response-content-disposition", "Content-Disposition"},
      {"response-content-encoding", "Content-Encoding"},
  };
  if (!head) {
    for (const auto& [param, header] : kOverrides) {
      if (req.HasParam(param)) res.SetHeader(header, req.Param(param));
    }
  }
  return Status::Ok();
}

Status S3Service::DeleteObject(S3Call& call) {
  const HttpRequest& req = call.req;
  const std::string version = req.Param("versionId");
  DeleteOutcome out;
  if (Status s = objects_->DeleteObject(call.address.bucket, call.address.key,
                                        req.HasParam("versionId") ? &version : nullptr, &out);
      !s.ok()) {
    return s;
  }
  call.res.status = 204;
  if (out.versioned || req.HasParam("versionId")) {
    call.res.SetHeader("x-amz-version-id", ShownVersionId(out.version_id));
    if (out.delete_marker) call.res.SetHeader("x-amz-delete-marker", "true");
  }
  NotifyDelete(call, call.address.key, out, req.HasParam("versionId"));
  return Status::Ok();
}

void S3Service::NotifyDelete(const S3Call& call, const std::string& key, const DeleteOutcome& out,
                             bool by_version) {
  if (!out.removed) return;
  std::optional<std::string> version;
  if (out.versioned || by_version) version = ShownVersionId(out.version_id);
  const bool marker_added = out.delete_marker && !by_version;
  Notify(call, marker_added ? "s3:ObjectRemoved:DeleteMarkerCreated" : "s3:ObjectRemoved:Delete",
         key, 0, "", version);
}

Status S3Service::DeleteObjects(S3Call& call) {
  auto body = ReadSmallBody(call.req, 2 << 20);
  if (!body.ok()) return body.status();
  if (Status s = CheckBodyDigest(call.req, *body); !s.ok()) return s;
  auto doc = ParseXml(*body);
  if (!doc) return MalformedXml();
  pugi::xml_node root = doc->document_element();
  std::string_view root_name = root.name();
  if (root_name.substr(root_name.find(':') + 1) != "Delete") return MalformedXml();
  const bool quiet = TextOf(ChildNamed(root, "Quiet")) == "true";
  auto entries = ChildrenNamed(root, "Object");
  if (entries.empty() || entries.size() > kMaxDeleteKeys) return MalformedXml();
  // Checked before anything is deleted.
  if (auto bucket = objects_->GetBucket(call.address.bucket); !bucket.ok()) return bucket.status();
  XmlWriter x;
  x.Open("DeleteResult", kS3Namespace);
  for (pugi::xml_node entry : entries) {
    pugi::xml_node key_node = ChildNamed(entry, "Key");
    if (!key_node) return MalformedXml();
    const std::string key = TextOf(key_node);
    pugi::xml_node version_node = ChildNamed(entry, "VersionId");
    const std::string version = TextOf(version_node);
    Status s = ValidateKey(key);
    DeleteOutcome out;
    if (s.ok()) {
      s = objects_->DeleteObject(call.address.bucket, key, version_node ? &version : nullptr, &out);
    }
    if (s.ok()) NotifyDelete(call, key, out, bool(version_node));
    if (!s.ok()) {
      x.Open("Error").Leaf("Key", key);
      if (version_node) x.Leaf("VersionId", version);
      x.Leaf("Code", s.code()).Leaf("Message", s.message()).Close("Error");
    } else if (!quiet) {
      x.Open("Deleted").Leaf("Key", key);
      if (version_node) x.Leaf("VersionId", version);
      if (out.delete_marker) {
        x.Bool("DeleteMarker", true);
        if (!version_node) x.Leaf("DeleteMarkerVersionId", ShownVersionId(out.version_id));
      }
      x.Close("Deleted");
    }
  }
  x.Close("DeleteResult");
  call.res.SetContent(x.Take(), "application/xml");
  return Status::Ok();
}

Status S3Service::CopyObject(S3Call& call) {
  HttpRequest& req = call.req;
  auto source = CopySourceOf(req.Header("x-amz-copy-source"));
  if (!source.ok()) return source.status();
  const std::string source_version = CopySourceVersionOf(req.Header("x-amz-copy-source"));
  auto src = objects_->HeadObject(source->bucket, source->key,
                                  source_version.empty() ? nullptr : &source_version);
  if (!src.ok()) {
    // A copy names its source: a missing or deleted one is a bad request of the copy.
    if (src.status().code() == errors::kMethodNotAllowed) {
      return Status::Error(errors::kInvalidRequest,
                           "The source of a copy request may not specifically refer to a delete "
                           "marker by version id.");
    }
    return src.status();
  }
  if (Status s = CheckConditions(ConditionsOf(req, "x-amz-copy-source-"), src->etag,
                                 src->last_modified_ms, true);
      !s.ok()) {
    return s;
  }
  std::string directive(req.Header("x-amz-metadata-directive"));
  if (directive.empty()) directive = "COPY";
  if (directive != "COPY" && directive != "REPLACE") {
    return Status::Error(errors::kInvalidArgument, "Unknown metadata directive.");
  }
  const bool same = source->bucket == call.address.bucket && source->key == call.address.key;
  if (same && directive == "COPY" && req.Header("x-amz-storage-class").empty()) {
    return Status::Error(errors::kInvalidRequest,
                         "This copy request is illegal because it is trying to copy an object to "
                         "itself without changing the object's metadata, storage class, website "
                         "redirect location or encryption attributes.");
  }
  ObjectMeta meta = *src;
  if (directive == "REPLACE") {
    if (Status s = ReadObjectHeaders(req, meta); !s.ok()) return s;
    meta.content_encoding = req.Header("content-encoding");
  } else if (std::string_view sc = req.Header("x-amz-storage-class"); !sc.empty()) {
    meta.storage_class = sc == "STANDARD" ? "" : std::string(sc);
  }
  if (req.Header("x-amz-tagging-directive") == "REPLACE") {
    meta.tags = TagsOfHeader(req.Header("x-amz-tagging"));
  }
  // The source may be overwritten or deleted meanwhile, its file removed: look again.
  auto blob = objects_->LinkBlob(src->blob);
  for (int attempt = 0; !blob.ok() && attempt < 3; ++attempt) {
    auto again = objects_->HeadObject(source->bucket, source->key,
                                      source_version.empty() ? nullptr : &source_version);
    if (!again.ok()) return again.status();
    blob = objects_->LinkBlob(again->blob);
    if (blob.ok() && again->etag != src->etag) {
      // A newer source: copy it whole, as if the copy had come after the overwrite.
      ObjectMeta replaced = *again;
      replaced.last_modified_ms = meta.last_modified_ms;
      if (directive == "REPLACE") {
        (void)ReadObjectHeaders(req, replaced);  // checked above, on the same headers
        replaced.content_encoding = req.Header("content-encoding");
      }
      replaced.tags = meta.tags;
      meta = std::move(replaced);
    }
  }
  if (!blob.ok()) return blob.status();
  meta.blob = *blob;
  meta.last_modified_ms = NowEpochMs();
  const ObjectMeta result = meta;
  std::string version_id;
  if (Status s = objects_->PutObject(call.address.bucket, call.address.key, std::move(meta),
                                     &version_id);
      !s.ok()) {
    return s;
  }
  if (!src->version_id.empty() || !source_version.empty()) {
    call.res.SetHeader("x-amz-copy-source-version-id", ShownVersionId(src->version_id));
  }
  std::optional<std::string> shown;
  if (auto bucket = objects_->GetBucket(call.address.bucket); bucket.ok() && !bucket->versioning().empty()) {
    shown = ShownVersionId(version_id);
    call.res.SetHeader("x-amz-version-id", *shown);
  }
  Notify(call, "s3:ObjectCreated:Copy", call.address.key, result.size, result.etag, shown);
  XmlWriter x;
  x.Open("CopyObjectResult", kS3Namespace);
  x.Leaf("LastModified", XmlTimestamp(result.last_modified_ms)).Leaf("ETag", result.etag);
  if (!result.checksum_algorithm.empty()) {
    x.Leaf("Checksum" + result.checksum_algorithm, result.checksum);
  }
  x.Close("CopyObjectResult");
  call.res.SetContent(x.Take(), "application/xml");
  return Status::Ok();
}

Status S3Service::ObjectTagging(S3Call& call) {
  const std::string& method = call.req.method;
  const S3Address& a = call.address;
  if (method == "GET") {
    auto meta = objects_->HeadObject(a.bucket, a.key);
    if (!meta.ok()) return meta.status();
    XmlWriter x;
    x.Open("Tagging", kS3Namespace).Open("TagSet");
    for (const auto& [k, v] : meta->tags) x.Open("Tag").Leaf("Key", k).Leaf("Value", v).Close("Tag");
    x.Close("TagSet").Close("Tagging");
    call.res.SetContent(x.Take(), "application/xml");
    return Status::Ok();
  }
  std::vector<std::pair<std::string, std::string>> tags;
  if (method == "PUT") {
    auto body = ReadSmallBody(call.req);
    if (!body.ok()) return body.status();
    auto doc = ParseXml(*body);
    if (!doc) return MalformedXml();
    for (pugi::xml_node tag : ChildrenNamed(ChildNamed(doc->document_element(), "TagSet"), "Tag")) {
      tags.emplace_back(TextOf(ChildNamed(tag, "Key")), TextOf(ChildNamed(tag, "Value")));
    }
    if (tags.size() > 10) {
      return Status::Error(errors::kInvalidArgument, "Object tags cannot be greater than 10");
    }
  } else if (method != "DELETE") {
    return Status::Error(errors::kMethodNotAllowed,
                         "The specified method is not allowed against this resource.");
  }
  if (Status s = objects_->SetObjectTags(a.bucket, a.key, std::move(tags)); !s.ok()) return s;
  if (method == "DELETE") call.res.status = 204;
  auto meta = objects_->HeadObject(a.bucket, a.key);
  Notify(call, method == "PUT" ? "s3:ObjectTagging:Put" : "s3:ObjectTagging:Delete", a.key,
         meta.ok() ? meta->size : 0, meta.ok() ? meta->etag : "");
  return Status::Ok();
}

}  // namespace ll::s3
