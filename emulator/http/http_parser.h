// The HTTP/1.1 request parser, resumable: it keeps its place between reads, so a request that
// arrives in many small reads costs time in proportion to its bytes, not to their square.
// HttpRequestParser reads the head over the caller's buffer; HttpBodyDecoder decodes the body
// (Content-Length or chunked) from raw bytes handed to it piece by piece, without copying.
// Every allowance is bounded: the head, a chunk-size line, the trailers, the decoded body and
// the raw bytes of a chunked body.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/http_message.h"

namespace ll {

inline constexpr size_t kMaxHttpHeadBytes = 64 * 1024;  // request line and headers; trailers too
inline constexpr size_t kMaxChunkLineBytes = 1024;       // a chunk size with its extensions and CRLF

// Decodes one request body from its raw bytes, fed in order in pieces of any size.
class HttpBodyDecoder {
 public:
  HttpBodyDecoder() = default;  // no body: complete at once
  static HttpBodyDecoder ForLength(uint64_t length);
  // At most `max_body` decoded bytes, and at most 2 x max_body + kMaxChunkLineBytes raw bytes
  // of chunk lines, data and their CRLFs (so tiny chunks cannot multiply the work), then up
  // to kMaxHttpHeadBytes of trailers.
  static HttpBodyDecoder ForChunked(uint64_t max_body);

  // Decodes from the front of `raw`: consumes framing and at most `max_data` body bytes, and
  // points *data at the body bytes consumed (a run inside `raw`, possibly empty). Stops after
  // one run of body bytes, or when `raw` is used up. Returns kIncomplete while the body goes
  // on, kComplete once its end (trailers included) is consumed, kBad or kTooLarge when the
  // framing cannot be trusted or is over the limits (sticky: later calls return the same).
  HttpParse Decode(std::string_view raw, size_t max_data, size_t* consumed, std::string_view* data);

  bool done() const { return state_ == State::kDone; }
  bool failed() const { return state_ == State::kBad || state_ == State::kTooLarge; }
  bool chunked() const { return chunked_; }
  // Body bytes still to come when framed by Content-Length.
  uint64_t remaining_length() const { return chunked_ ? 0 : remaining_; }
  uint64_t decoded() const { return decoded_; }
  uint64_t raw_consumed() const { return raw_consumed_; }

 private:
  enum class State { kDone, kBad, kTooLarge, kLengthData, kChunkLine, kChunkData, kChunkCr, kChunkLf, kTrailers };
  HttpParse Fail(State state);
  bool ParseChunkLine();

  State state_ = State::kDone;
  bool chunked_ = false;
  uint64_t max_body_ = 0;
  uint64_t max_raw_ = 0;           // chunk lines, data and CRLFs; trailers are counted apart
  uint64_t remaining_ = 0;         // of the Content-Length body, or of the current chunk
  uint64_t decoded_ = 0;
  uint64_t raw_consumed_ = 0;
  uint64_t framed_raw_ = 0;        // raw bytes before the trailers
  std::string line_;               // the chunk-size line read so far (at most kMaxChunkLineBytes)
  size_t trailer_bytes_ = 0;
  size_t trailer_line_ = 0;        // bytes of the current trailer line so far
  bool trailer_cr_ = false;        // the last trailer byte was '\r'
};

// Parses requests one at a time. Not thread-safe; one per connection.
class HttpRequestParser {
 public:
  // A body larger than `max_body` bytes is kTooLarge.
  explicit HttpRequestParser(uint64_t max_body) : max_body_(max_body) {}

  // Forgets the current request; the next call parses a new one.
  void Reset();

  // Parses the head of the request that starts at data[0]. `data` holds every byte of it
  // received so far: the bytes of the previous call, in the same order, and maybe more (they
  // may have moved in memory). kComplete: *out holds the head (its body empty), the head was
  // head_size() bytes, and body() is ready to decode what follows. kTooLarge after a parsed
  // head (head_parsed()) means the declared Content-Length is over the limit.
  HttpParse ParseHead(std::string_view data, HttpRequest* out);
  size_t head_size() const { return head_size_; }
  bool head_parsed() const { return head_parsed_; }
  HttpBodyDecoder& body() { return body_; }
  const HttpBodyDecoder& body() const { return body_; }

  // The whole request, its body decoded into out->body, for callers that buffer whole
  // requests. Same contract on `data` as ParseHead, and the same *out on every call until a
  // result other than kIncomplete; call Reset() before the next request.
  HttpParseResult Parse(std::string_view data, HttpRequest* out);

  // Bytes looked at since construction (head scanning and body decoding): a test can check
  // that feeding a request in many pieces stays linear.
  uint64_t examined() const { return examined_; }

 private:
  HttpParse ParseHeadLines(std::string_view data, size_t start, size_t head_end, HttpRequest* out);

  const uint64_t max_body_;
  size_t scanned_ = 0;       // the blank line was looked for up to here
  size_t head_size_ = 0;
  bool head_parsed_ = false;
  HttpParse head_status_ = HttpParse::kIncomplete;
  size_t body_at_ = 0;       // Parse(): raw body bytes decoded so far end here
  HttpBodyDecoder body_;
  uint64_t examined_ = 0;
};

}  // namespace ll
