// Receiving an object's bytes: the request body streamed to a new blob file, through the
// aws-chunked decoder when the SDK sent one, hashed on the way (MD5 for the ETag, and the
// checksum the client asked for), then checked against Content-MD5, x-amz-checksum-* and the
// declared lengths. Nothing is kept unless every check passes.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"
#include "http/http_message.h"
#include "services/s3/object_store.h"

namespace ll::s3 {

struct ReceivedBody {
  std::string blob;  // committed into the store's files; the caller names it or removes it
  uint64_t size = 0;
  std::string md5;                 // raw
  std::string checksum_algorithm;  // "CRC32", ... or "" when none was asked for
  std::string checksum;            // base64
  std::string content_encoding;    // without aws-chunked
};

// Reads the body of `req` into a new blob of `store`. EntityTooLarge over `max_bytes`;
// IncompleteBody when it is cut short; InvalidDigest / BadDigest / InvalidRequest for
// checksums that are malformed or do not match.
Result<ReceivedBody> ReceiveBody(HttpRequest& req, ObjectStore& store, uint64_t max_bytes);

}  // namespace ll::s3
