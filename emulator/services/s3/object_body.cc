#include "services/s3/object_body.h"

#include <charconv>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "base/strings.h"
#include "http/http_body.h"
#include "services/s3/aws_chunked.h"
#include "services/s3/checksums.h"
#include "services/s3/s3_errors.h"
#include "services/s3/s3_request.h"

namespace ll::s3 {
namespace {

constexpr size_t kReadBytes = 256 * 1024;

Status Incomplete() {
  return Status::Error(errors::kIncompleteBody,
                       "You did not provide the number of bytes specified by the Content-Length "
                       "HTTP header.");
}

Status TooLarge() {
  return Status::Error(errors::kEntityTooLarge,
                       "Your proposed upload exceeds the maximum allowed size");
}

// The checksum a request asks for: its algorithm, and the value sent in a header (or "" when
// it comes in a trailer, or is to be computed).
struct WantedChecksum {
  std::optional<ChecksumAlgorithm> algorithm;
  std::string header_value;
  bool in_trailer = false;
};

Result<WantedChecksum> ChecksumOf(const HttpRequest& req) {
  WantedChecksum w;
  for (const auto& [name, value] : req.headers) {
    if (auto algorithm = ChecksumAlgorithmFromHeader(name)) {
      if (w.algorithm && *w.algorithm != *algorithm) {
        return Status::Error(errors::kInvalidRequest,
                             "Expecting a single x-amz-checksum- header. Multiple checksum Types "
                             "are not allowed.");
      }
      w.algorithm = algorithm;
      w.header_value = value;
    }
  }
  if (std::string_view trailer = req.Header("x-amz-trailer"); !trailer.empty()) {
    auto algorithm = ChecksumAlgorithmFromHeader(trailer);
    if (!algorithm) {
      return Status::Error(errors::kInvalidRequest,
                           fmt::format("The value specified in the x-amz-trailer header is not "
                                       "supported: {}",
                                       trailer));
    }
    w.algorithm = algorithm;
    w.in_trailer = true;
  }
  if (std::string_view sdk = req.Header("x-amz-sdk-checksum-algorithm"); !sdk.empty()) {
    auto algorithm = ParseChecksumAlgorithm(sdk);
    if (!algorithm) {
      return Status::Error(errors::kInvalidRequest,
                           fmt::format("Checksum algorithm {} is not supported here", sdk));
    }
    if (!w.algorithm) w.algorithm = algorithm;
  }
  return w;
}

Status Mismatch(ChecksumAlgorithm algorithm) {
  return Status::Error(errors::kBadDigest,
                       fmt::format("The {} you specified did not match the calculated checksum.",
                                   ChecksumAlgorithmName(algorithm)));
}

Status InvalidChecksum(ChecksumAlgorithm algorithm) {
  return Status::Error(errors::kInvalidRequest,
                       fmt::format("Value for x-amz-checksum-{} header is invalid.",
                                   [&] {
                                     std::string n(ChecksumAlgorithmName(algorithm));
                                     for (char& c : n) c = char(tolower(c));
                                     return n;
                                   }()));
}

}  // namespace

Result<ReceivedBody> ReceiveBody(HttpRequest& req, ObjectStore& store, uint64_t max_bytes) {
  ReceivedBody out;
  // Content-MD5, checked at the end.
  std::optional<std::string> content_md5;
  if (std::string_view md5 = req.Header("content-md5"); !md5.empty()) {
    content_md5 = Base64DecodeStrict(md5);
    if (!content_md5 || content_md5->size() != 16) {
      return Status::Error(errors::kInvalidDigest, "The Content-MD5 you specified was not valid.");
    }
  }
  auto wanted = ChecksumOf(req);
  if (!wanted.ok()) return wanted.status();
  const bool aws_chunked =
      IsAwsChunkedPayload(req.Header("x-amz-content-sha256")) ||
      req.Header("content-encoding").find("aws-chunked") != std::string_view::npos;
  out.content_encoding = StripAwsChunkedEncoding(req.Header("content-encoding"));
  std::optional<uint64_t> decoded_length;
  if (std::string_view d = req.Header("x-amz-decoded-content-length"); !d.empty()) {
    decoded_length = ParseUnsigned(d);
    if (!decoded_length) return Incomplete();
    if (*decoded_length > max_bytes) return TooLarge();
  }
  if (!aws_chunked && req.body_reader) {
    if (auto length = req.body_reader->content_length(); length && *length > max_bytes) {
      return TooLarge();
    }
  }

  auto writer = store.NewBlob();
  if (!writer.ok()) return writer.status();
  Hasher md5 = Hasher::Md5();
  std::optional<Hasher> checksum;
  if (wanted->algorithm) checksum.emplace(*wanted->algorithm);
  auto take = [&](std::string_view data) -> Status {
    if ((*writer)->size() + data.size() > max_bytes) return TooLarge();
    md5.Update(data);
    if (checksum) checksum->Update(data);
    return (*writer)->Write(data);
  };

  AwsChunkedDecoder decoder(max_bytes);
  auto feed = [&](std::string_view raw) -> Status {
    if (!aws_chunked) return take(raw);
    while (!raw.empty()) {
      size_t used = 0;
      std::string_view data;
      AwsChunkedStatus st = decoder.Decode(raw, &used, &data);
      if (st == AwsChunkedStatus::kTooLarge) return TooLarge();
      if (st == AwsChunkedStatus::kBad) return Incomplete();
      if (Status s = take(data); !s.ok()) return s;
      raw.remove_prefix(used);
      if (st == AwsChunkedStatus::kComplete) {
        if (!raw.empty()) return Incomplete();  // bytes after the encoding's end
        break;
      }
    }
    return Status::Ok();
  };

  if (req.body_reader) {
    std::vector<char> buf(kReadBytes);
    for (;;) {
      Result<size_t> got = req.body_reader->Read(buf.data(), buf.size());
      if (!got.ok()) {
        req.keep_alive = false;
        return got.status().code() == kHttpRequestTooLarge ? TooLarge() : Incomplete();
      }
      if (*got == 0) break;
      if (Status s = feed(std::string_view(buf.data(), *got)); !s.ok()) {
        req.keep_alive = false;  // the rest of the body is not read
        return s;
      }
    }
    req.body_reader = nullptr;
  } else if (Status s = feed(req.body); !s.ok()) {
    return s;
  }
  if (aws_chunked && decoder.Finish() != AwsChunkedStatus::kComplete) return Incomplete();
  out.size = (*writer)->size();
  if (decoded_length && *decoded_length != out.size) return Incomplete();

  out.md5 = md5.Finish();
  if (content_md5 && *content_md5 != out.md5) {
    return Status::Error(errors::kBadDigest,
                         "The Content-MD5 you specified did not match what we received.");
  }
  if (checksum) {
    const ChecksumAlgorithm algorithm = *wanted->algorithm;
    std::string sent = wanted->header_value;
    if (wanted->in_trailer) {
      if (auto t = decoder.trailer(ChecksumHeaderName(algorithm))) sent = std::string(*t);
    }
    const std::string computed = checksum->Finish();
    if (!sent.empty()) {
      auto raw = Base64DecodeStrict(sent);
      if (!raw || raw->size() != ChecksumDigestSize(algorithm)) return InvalidChecksum(algorithm);
      if (*raw != computed) return Mismatch(algorithm);
    }
    out.checksum_algorithm = std::string(ChecksumAlgorithmName(algorithm));
    out.checksum = Base64Encode(computed);
  }
  auto blob = (*writer)->Commit();
  if (!blob.ok()) return blob.status();
  out.blob = std::move(*blob);
  return out;
}

}  // namespace ll::s3
