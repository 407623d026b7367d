// S3's aws-chunked content encoding, which SDKs use for streaming uploads (x-amz-content-sha256
// "STREAMING-..."). It sits inside the request body the HTTP layer has already de-chunked:
//   unsigned:  <hex>\r\n<data>\r\n ... 0\r\n[trailer lines]\r\n
//   signed:    <hex>;chunk-signature=<sig>\r\n<data>\r\n ... 0;chunk-signature=<sig>\r\n[trailer lines]\r\n
// where trailer lines are "x-amz-checksum-crc32:NhCmhg==\r\n" and, when signed,
// "x-amz-trailer-signature:<sig>\r\n". Chunk extensions (signatures) are read but not checked.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ll::s3 {

inline constexpr size_t kMaxAwsChunkLineBytes = 1024;     // a chunk size, its extensions and CRLF
inline constexpr size_t kMaxAwsTrailerBytes = 16 * 1024;  // every trailer line and the blank line

enum class AwsChunkedStatus {
  kIncomplete,  // more bytes are needed (or Finish(), if there are none)
  kComplete,    // the whole encoding is consumed
  kBad,         // framing that cannot be trusted
  kTooLarge,    // more decoded bytes than allowed, or trailers over kMaxAwsTrailerBytes
};

using AwsTrailers = std::vector<std::pair<std::string, std::string>>;

// True when x-amz-content-sha256 announces an aws-chunked body: "STREAMING-UNSIGNED-PAYLOAD-
// TRAILER", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]", "STREAMING-AWS4-ECDSA-...". Some
// SDKs (the Java CRT signer) send these without Content-Encoding: aws-chunked, so this header
// is the one to trust.
bool IsAwsChunkedPayload(std::string_view content_sha256);
// Content-Encoding without its "aws-chunked" coding, as S3 stores it ("" when nothing is left).
std::string StripAwsChunkedEncoding(std::string_view content_encoding);

// Decodes one aws-chunked body from its bytes, fed in order in pieces of any size (a piece may
// end anywhere, inside a size line or a trailer too). Data bytes are never copied: Decode()
// points into the caller's bytes. Not thread-safe.
//
// Leniency, where SDKs differ and accepting costs no safety:
//  * trailer lines may end in a bare LF; a name and a value may have blanks around them
//    ("name: value", as the Swift SDK sends); trailer names are lower-cased;
//  * the body may end without the final blank line, right after the last-chunk line or after
//    a whole trailer line: call Finish() when the input ends. A body cut inside a line, or
//    before the zero-size chunk, is kBad, so a cut upload is never stored as a shorter one.
// Strict: a size line is 1-16 hex digits, then optional ";extensions", then CRLF (a bare LF is
// kBad); data is followed by exactly CRLF; a trailer line is "name:value".
// Callers should still check the trailers they were promised (X-Amz-Trailer) are in trailers()
// and that decoded() equals X-Amz-Decoded-Content-Length when one was sent.
class AwsChunkedDecoder {
 public:
  // More than `max_decoded` data bytes in all is kTooLarge (found at the size line that would
  // go over, before any of that chunk's data is handed out).
  explicit AwsChunkedDecoder(uint64_t max_decoded) : max_decoded_(max_decoded) {}

  // Decodes from the front of `raw`: consumes framing and points *data at the data bytes
  // consumed (a run inside `raw`, possibly empty). Stops after one run of data, or when `raw`
  // is used up, or at the end of the encoding. *consumed says how many bytes of `raw` were
  // used; bytes after the end are left alone. *data may be non-empty whatever the status (use
  // it only on kIncomplete and kComplete). kBad and kTooLarge are sticky.
  AwsChunkedStatus Decode(std::string_view raw, size_t* consumed, std::string_view* data);

  // The input has ended: kComplete if what came is a whole body (see the leniency above),
  // else kBad (or the earlier failure).
  AwsChunkedStatus Finish();

  bool done() const { return state_ == State::kDone; }
  bool failed() const { return state_ == State::kBad || state_ == State::kTooLarge; }
  uint64_t decoded() const { return decoded_; }
  // In arrival order, names lower-cased, values trimmed; x-amz-trailer-signature included.
  const AwsTrailers& trailers() const { return trailers_; }
  // The value of the first trailer named `lower_name`; valid until the next Decode().
  std::optional<std::string_view> trailer(std::string_view lower_name) const;

 private:
  enum class State { kSizeLine, kData, kDataCr, kDataLf, kTrailers, kDone, kBad, kTooLarge };
  AwsChunkedStatus Fail(State state);
  AwsChunkedStatus ParseSizeLine();
  AwsChunkedStatus ParseTrailerLine();

  const uint64_t max_decoded_;
  State state_ = State::kSizeLine;
  uint64_t remaining_ = 0;  // of the current chunk's data
  uint64_t decoded_ = 0;
  std::string line_;        // the size or trailer line read so far
  size_t trailer_bytes_ = 0;
  AwsTrailers trailers_;
};

// Decodes a whole aws-chunked body in one call (input ends where `body` ends; bytes after the
// encoding's end are kBad). On kComplete, *data holds the decoded bytes and *trailers (if not
// null) the trailers.
AwsChunkedStatus DecodeAwsChunked(std::string_view body, uint64_t max_decoded, std::string* data,
                                  AwsTrailers* trailers = nullptr);

}  // namespace ll::s3
