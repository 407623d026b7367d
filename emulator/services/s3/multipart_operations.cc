// Multipart uploads of S3Service: create, upload a part (or copy one from an object), complete
// (the parts joined by the kernel into one file, AWS's "<md5 of the part md5s>-N" ETag), abort,
// and the listings of parts and uploads.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <tuple>

#include <fmt/format.h>

#include "base/strings.h"
#include "services/s3/checksums.h"
#include "services/s3/object_body.h"
#include "services/s3/s3_service.h"
#include "services/s3/s3_xml.h"

namespace ll::s3 {
namespace {

constexpr uint64_t kMaxPartBytes = 5ull << 30;
constexpr uint64_t kMinPartBytes = 5ull << 20;  // every part but the last

Status MalformedXml() {
  return Status::Error(errors::kMalformedXML,
                       "The XML you provided was not well-formed or did not validate against our "
                       "published schema");
}

void WriteOwner(XmlWriter& x, std::string_view element) {
  x.Open(element).Leaf("ID", kOwnerId).Leaf("DisplayName", kOwnerName).Close(element);
}

}  // namespace

Status S3Service::Multipart(S3Call& call) {
  const std::string& method = call.req.method;
  if (call.req.HasParam("uploads")) {
    if (method == "POST") return CreateMultipartUpload(call);
    return Status::Error(errors::kMethodNotAllowed,
                         "The specified method is not allowed against this resource.");
  }
  if (method == "PUT") return UploadPart(call);
  if (method == "POST") return CompleteMultipartUpload(call);
  if (method == "DELETE") {
    const S3Address& a = call.address;
    if (Status s = objects_->AbortUpload(call.req.Param("uploadId"), a.bucket, a.key); !s.ok()) {
      return s;
    }
    call.res.status = 204;
    return Status::Ok();
  }
  if (method == "GET") return ListParts(call);
  return Status::Error(errors::kMethodNotAllowed,
                       "The specified method is not allowed against this resource.");
}

Status S3Service::CreateMultipartUpload(S3Call& call) {
  HttpRequest& req = call.req;
  ObjectMeta meta;
  if (Status s = ReadObjectHeaders(req, meta); !s.ok()) return s;
  meta.content_encoding = req.Header("content-encoding");
  meta.tags = ParseQuery(req.Header("x-amz-tagging"));
  if (std::string_view algorithm = req.Header("x-amz-checksum-algorithm"); !algorithm.empty()) {
    auto parsed = ParseChecksumAlgorithm(algorithm);
    if (!parsed) {
      return Status::Error(errors::kInvalidRequest,
                           fmt::format("Checksum algorithm {} is not supported here", algorithm));
    }
    meta.checksum_algorithm = std::string(ChecksumAlgorithmName(*parsed));
  }
  auto id = objects_->CreateUpload(call.address.bucket, call.address.key, meta);
  if (!id.ok()) return id.status();
  XmlWriter x;
  x.Open("InitiateMultipartUploadResult", kS3Namespace).Leaf("Bucket", call.address.bucket);
  x.Leaf("Key", call.address.key).Leaf("UploadId", *id).Close("InitiateMultipartUploadResult");
  call.res.SetContent(x.Take(), "application/xml");
  if (!meta.checksum_algorithm.empty()) {
    call.res.SetHeader("x-amz-checksum-algorithm", meta.checksum_algorithm);
  }
  return Status::Ok();
}

Status S3Service::UploadPart(S3Call& call) {
  HttpRequest& req = call.req;
  const S3Address& a = call.address;
  const std::string id = req.Param("uploadId");
  auto number = ParsePartNumber(req.Param("partNumber"));
  if (!number.ok()) return number.status();
  auto upload = objects_->GetUpload(id, a.bucket, a.key);
  if (!upload.ok()) return upload.status();
  StoredPart part;
  part.last_modified_ms = NowEpochMs();
  if (std::string_view source = req.Header("x-amz-copy-source"); !source.empty()) {
    // UploadPartCopy: a range (or all) of an existing object.
    auto from = CopySourceOf(source);
    if (!from.ok()) return from.status();
    const std::string source_version = CopySourceVersionOf(source);
    auto opened = objects_->OpenObject(from->bucket, from->key,
                                       source_version.empty() ? nullptr : &source_version);
    if (!opened.ok()) return opened.status();
    const int fd = opened->fd;
    const ObjectMeta& src = opened->meta;
    ByteRange range{0, src.size == 0 ? 0 : src.size - 1};
    uint64_t length = src.size;
    if (std::string_view r = req.Header("x-amz-copy-source-range"); !r.empty()) {
      // bytes=first-last, both given and inside the object (no clamping, unlike a GET).
      auto parsed = ParseRange(r, src.size);
      const size_t dash = r.find('-');
      const auto last = dash == std::string_view::npos ? std::nullopt : ParseUnsigned(r.substr(dash + 1));
      if (!parsed.ok() || !*parsed || !last || uint64_t(*last) >= src.size) {
        close(fd);
        return Status::Error(errors::kInvalidArgument,
                             "The x-amz-copy-source-range value must be of the form "
                             "bytes=first-last where first and last are the zero-based offsets "
                             "of the first and last bytes to copy");
      }
      range = **parsed;
      length = range.length();
    }
    if (Status s = CheckConditions(ConditionsOf(req, "x-amz-copy-source-"), src.etag,
                                   src.last_modified_ms, true);
        !s.ok()) {
      close(fd);
      return s;
    }
    auto writer = objects_->NewBlob();
    if (!writer.ok()) {
      close(fd);
      return writer.status();
    }
    Hasher md5 = Hasher::Md5();
    std::optional<Hasher> checksum;
    if (auto algorithm = ParseChecksumAlgorithm(upload->meta.checksum_algorithm)) checksum.emplace(*algorithm);
    Status copied = (*writer)->CopyFrom(fd, range.first, length, [&](std::string_view data) {
      md5.Update(data);
      if (checksum) checksum->Update(data);
    });
    close(fd);
    if (!copied.ok()) return copied;
    auto blob = (*writer)->Commit();
    if (!blob.ok()) return blob.status();
    part.blob = *blob;
    part.size = length;
    part.md5 = md5.Finish();
    if (checksum) part.checksum = Base64Encode(checksum->Finish());
  } else {
    auto body = ReceiveBody(req, *objects_, kMaxPartBytes);
    if (!body.ok()) return body.status();
    part.blob = body->blob;
    part.size = body->size;
    part.md5 = body->md5;
    if (body->checksum_algorithm == upload->meta.checksum_algorithm) part.checksum = body->checksum;
  }
  const std::string etag = Md5Etag(part.md5);
  const int64_t modified = part.last_modified_ms;
  const std::string part_checksum = part.checksum;
  if (Status s = objects_->PutUploadPart(id, a.bucket, a.key, *number, std::move(part)); !s.ok()) {
    return s;
  }
  if (!req.Header("x-amz-copy-source").empty()) {
    XmlWriter x;
    x.Open("CopyPartResult", kS3Namespace).Leaf("LastModified", XmlTimestamp(modified)).Leaf("ETag", etag);
    x.Close("CopyPartResult");
    call.res.SetContent(x.Take(), "application/xml");
  } else {
    call.res.SetHeader("ETag", etag);
  }
  if (!part_checksum.empty()) {
    call.res.SetHeader(ChecksumHeaderName(*ParseChecksumAlgorithm(upload->meta.checksum_algorithm)),
                       part_checksum);
  }
  return Status::Ok();
}

Status S3Service::CompleteMultipartUpload(S3Call& call) {
  HttpRequest& req = call.req;
  const S3Address& a = call.address;
  const std::string id = req.Param("uploadId");
  auto upload = objects_->GetUpload(id, a.bucket, a.key);
  if (!upload.ok()) return upload.status();
  auto body = ReadSmallBody(req, 4 << 20);
  if (!body.ok()) return body.status();
  auto doc = ParseXml(*body);
  if (!doc) return MalformedXml();
  auto listed = ChildrenNamed(doc->document_element(), "Part");
  if (listed.empty()) {
    return Status::Error(errors::kInvalidRequest, "You must specify at least one part");
  }
  std::vector<const StoredPart*> parts;
  int previous = 0;
  for (pugi::xml_node node : listed) {
    auto number = ParseUnsigned(TextOf(ChildNamed(node, "PartNumber")));
    if (!number) return MalformedXml();
    if (*number < 1 || *number > 10000) {
      return Status::Error(errors::kInvalidArgument,
                           "Part number must be an integer between 1 and 10000, inclusive");
    }
    if (*number <= previous) {
      return Status::Error(errors::kInvalidPartOrder,
                           "The list of parts was not in ascending order. The parts list must be "
                           "specified in order by part number.");
    }
    previous = int(*number);
    auto it = upload->parts.find(int(*number));
    if (it == upload->parts.end() ||
        UnquotedEtag(TextOf(ChildNamed(node, "ETag"))) != UnquotedEtag(Md5Etag(it->second.md5))) {
      return Status::Error(errors::kInvalidPart,
                           "One or more of the specified parts could not be found.  The part may "
                           "not have been uploaded, or the specified entity tag may not match the "
                           "part's entity tag.");
    }
    parts.push_back(&it->second);
  }
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    if (parts[i]->size < kMinPartBytes) {
      return Status::Error(errors::kEntityTooSmall,
                           "Your proposed upload is smaller than the minimum allowed size");
    }
  }
  // The parts joined into one new file, by the kernel; the ETag from the parts' MD5s.
  auto writer = objects_->NewBlob();
  if (!writer.ok()) return writer.status();
  std::string md5s, checksums;
  for (const StoredPart* part : parts) {
    int fd = objects_->OpenBlob(part->blob);
    if (fd < 0) return Status::Error(errors::kInternalError, "lambda-local: a part's file is gone");
    Status copied = (*writer)->CopyFrom(fd, 0, part->size);
    close(fd);
    if (!copied.ok()) return copied;
    md5s += part->md5;
    if (auto raw = Base64DecodeStrict(part->checksum)) checksums += *raw;
  }
  auto blob = (*writer)->Commit();
  if (!blob.ok()) return blob.status();
  ObjectMeta meta = upload->meta;
  meta.blob = *blob;
  for (const StoredPart* part : parts) meta.part_sizes.push_back(part->size);
  meta.size = (*writer)->size();
  meta.etag = fmt::format("\"{}-{}\"", HexEncode(Md5Digest(md5s)), parts.size());
  meta.last_modified_ms = NowEpochMs();
  meta.checksum.clear();
  if (auto algorithm = ParseChecksumAlgorithm(meta.checksum_algorithm);
      algorithm && checksums.size() == parts.size() * ChecksumDigestSize(*algorithm)) {
    meta.checksum = fmt::format("{}-{}", Base64Encode(Digest(*algorithm, checksums)), parts.size());
  } else {
    meta.checksum_algorithm.clear();
  }
  const std::string etag = meta.etag;
  const uint64_t size = meta.size;
  std::string version_id;
  if (Status s = objects_->CompleteUpload(id, a.bucket, a.key, std::move(meta), &version_id);
      !s.ok()) {
    return s;
  }
  std::optional<std::string> shown;
  if (auto bucket = objects_->GetBucket(a.bucket); bucket.ok() && !bucket->versioning().empty()) {
    shown = ShownVersionId(version_id);
    call.res.SetHeader("x-amz-version-id", *shown);
  }
  Notify(call, "s3:ObjectCreated:CompleteMultipartUpload", a.key, size, etag, shown);
  XmlWriter x;
  x.Open("CompleteMultipartUploadResult", kS3Namespace);
  x.Leaf("Location", fmt::format("http://{}/{}/{}", req.Header("host"), a.bucket, a.key));
  x.Leaf("Bucket", a.bucket).Leaf("Key", a.key).Leaf("ETag", etag);
  x.Close("CompleteMultipartUploadResult");
  call.res.SetContent(x.Take(), "application/xml");
  return Status::Ok();
}

Status S3Service::ListParts(S3Call& call) {
  const HttpRequest& req = call.req;
  const S3Address& a = call.address;
  const std::string id = req.Param("uploadId");
  auto upload = objects_->GetUpload(id, a.bucket, a.key);
  if (!upload.ok()) return upload.status();
  int64_t max_parts = 1000, marker = 0;
  if (req.HasParam("max-parts")) {
    max_parts = int64_t(std::min<uint64_t>(ParseUnsigned(req.Param("max-parts")).value_or(1000), 1000));
  }
  if (req.HasParam("part-number-marker")) {
    marker = int64_t(std::min<uint64_t>(ParseUnsigned(req.Param("part-number-marker")).value_or(0), 10000));
  }
  XmlWriter x;
  x.Open("ListPartsResult", kS3Namespace).Leaf("Bucket", a.bucket).Leaf("Key", a.key).Leaf("UploadId", id);
  x.Number("PartNumberMarker", uint64_t(marker));
  int64_t count = 0, last = 0;
  bool truncated = false;
  for (const auto& [number, part] : upload->parts) {
    if (number <= marker || max_parts == 0) continue;
    if (count == max_parts) {
      truncated = true;
      break;
    }
    ++count;
    last = number;
  }
  if (truncated) x.Number("NextPartNumberMarker", uint64_t(last));
  x.Number("MaxParts", uint64_t(max_parts)).Bool("IsTruncated", truncated);
  count = 0;
  for (const auto& [number, part] : upload->parts) {
    if (number <= marker) continue;
    if (count++ == max_parts) break;
    x.Open("Part").Number("PartNumber", uint64_t(number));
    x.Leaf("LastModified", XmlTimestamp(part.last_modified_ms)).Leaf("ETag", Md5Etag(part.md5));
    x.Number("Size", part.size);
    if (!part.checksum.empty()) x.Leaf("Checksum" + upload->meta.checksum_algorithm, part.checksum);
    x.Close("Part");
  }
  WriteOwner(x, "Initiator");
  WriteOwner(x, "Owner");
  x.Leaf("StorageClass", upload->meta.storage_class.empty() ? "STANDARD" : upload->meta.storage_class);
  x.Close("ListPartsResult");
  call.res.SetContent(x.Take(), "application/xml");
  return Status::Ok();
}

Status S3Service::ListMultipartUploads(S3Call& call) {
  const std::string& bucket = call.address.bucket;
  if (auto b = objects_->GetBucket(bucket); !b.ok()) return b.status();
  const std::string prefix = call.req.Param("prefix");
  std::vector<Upload> uploads = objects_->ListUploads(bucket);
  std::sort(uploads.begin(), uploads.end(), [](const Upload& l, const Upload& r) {
    return std::tie(l.key, l.initiated_ms, l.id) < std::tie(r.key, r.initiated_ms, r.id);
  });
  XmlWriter x;
  x.Open("ListMultipartUploadsResult", kS3Namespace).Leaf("Bucket", bucket);
  x.Leaf("KeyMarker", "").Leaf("UploadIdMarker", "").Leaf("Prefix", prefix);
  x.Number("MaxUploads", 1000).Bool("IsTruncated", false);
  for (const Upload& u : uploads) {
    if (!StartsWith(u.key, prefix)) continue;
    x.Open("Upload").Leaf("Key", u.key).Leaf("UploadId", u.id);
    WriteOwner(x, "Initiator");
    WriteOwner(x, "Owner");
    x.Leaf("StorageClass", u.meta.storage_class.empty() ? "STANDARD" : u.meta.storage_class);
    x.Leaf("Initiated", XmlTimestamp(u.initiated_ms)).Close("Upload");
  }
  x.Close("ListMultipartUploadsResult");
  call.res.SetContent(x.Take(), "application/xml");
  return Status::Ok();
}

}  // namespace ll::s3
