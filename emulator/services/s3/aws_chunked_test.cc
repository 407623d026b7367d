#include "services/s3/aws_chunked.h"

#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

using namespace ll::s3;
using Status = AwsChunkedStatus;

namespace {

constexpr uint64_t kMax = 1 << 20;
const std::string kSig(64, 'a');

std::string Pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = char('a' + (i * 7) % 26);
  return s;
}

std::string Hex(size_t n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%zx", n);
  return buf;
}

// The encoding as SDKs write it: chunks of `chunk` bytes, signed or not, then the trailers.
std::string Encode(const std::string& data, size_t chunk, bool sign, const AwsTrailers& trailers = {}) {
  const std::string ext = sign ? ";chunk-signature=" + kSig : "";
  std::string out;
  for (size_t at = 0; at < data.size(); at += chunk) {
    const std::string piece = data.substr(at, chunk);
    out += Hex(piece.size()) + ext + "\r\n" + piece + "\r\n";
  }
  out += "0" + ext + "\r\n";
  for (const auto& [name, value] : trailers) out += name + ":" + value + "\r\n";
  if (sign && !trailers.empty()) out += "x-amz-trailer-signature:" + kSig + "\r\n";
  return out + "\r\n";
}

struct Decoded {
  Status status = Status::kIncomplete;
  std::string data;
  AwsTrailers trailers;
  size_t consumed = 0;
};

// Feeds `raw` in pieces of `step` bytes (0: whole), then calls Finish() if it is still incomplete.
Decoded Feed(std::string_view raw, size_t step, uint64_t max = kMax) {
  AwsChunkedDecoder decoder(max);
  Decoded out;
  size_t have = step == 0 ? raw.size() : std::min(step, raw.size());
  while (true) {
    size_t used = 0;
    std::string_view run;
    const std::string_view piece = raw.substr(out.consumed, have - out.consumed);
    out.status = decoder.Decode(piece, &used, &run);
    REQUIRE(used <= piece.size());
    // Data is never copied: it points into the bytes consumed.
    REQUIRE((run.empty() || (run.data() >= piece.data() && run.data() + run.size() <= piece.data() + used)));
    out.data.append(run);
    out.consumed += used;
    if (out.status != Status::kIncomplete) break;
    if (out.consumed == have) {
      if (have == raw.size()) {
        out.status = decoder.Finish();
        break;
      }
      have = std::min(raw.size(), have + (step == 0 ? raw.size() : step));
    }
  }
  CHECK(decoder.done() == (out.status == Status::kComplete));
  CHECK(decoder.failed() == (out.status == Status::kBad || out.status == Status::kTooLarge));
  if (out.status == Status::kComplete) CHECK(decoder.decoded() == out.data.size());
  out.trailers = decoder.trailers();
  return out;
}

// Whole, byte at a time, and in a few other step sizes: all must agree.
Decoded FeedAllWays(std::string_view raw, uint64_t max = kMax) {
  const Decoded whole = Feed(raw, 0, max);
  for (size_t step : {1, 2, 3, 7, 64, 1000}) {
    INFO("step " << step);
    const Decoded split = Feed(raw, step, max);
    CHECK(split.status == whole.status);
    if (whole.status == Status::kComplete) {
      CHECK(split.data == whole.data);
      CHECK(split.trailers == whole.trailers);
      CHECK(split.consumed == whole.consumed);
    }
  }
  std::string one_call;
  AwsTrailers one_call_trailers;
  CHECK(DecodeAwsChunked(raw, max, &one_call, &one_call_trailers) == whole.status);
  if (whole.status == Status::kComplete) {
    CHECK(one_call == whole.data);
    CHECK(one_call_trailers == whole.trailers);
  }
  return whole;
}

}  // namespace

TEST_CASE("aws-chunked: botocore's unsigned body with a checksum trailer") {
  const Decoded d = FeedAllWays("5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n");
  REQUIRE(d.status == Status::kComplete);
  CHECK(d.data == "hello");
  CHECK(d.trailers == AwsTrailers{{"x-amz-checksum-crc32", "NhCmhg=="}});
  // botocore without a checksum, and an empty body.
  CHECK(FeedAllWays("5\r\nhello\r\n0\r\n\r\n").data == "hello");
  const Decoded empty = FeedAllWays("0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n");
  CHECK(empty.status == Status::kComplete);
  CHECK(empty.data.empty());
  CHECK(FeedAllWays("0\r\n\r\n").status == Status::kComplete);
}

TEST_CASE("aws-chunked: signed chunks, with and without trailers, in pieces of any size") {
  const std::string data = Pattern(65536 + 1024);  // the shape of the SigV4 streaming example
  const Decoded plain = FeedAllWays(Encode(data, 65536, true));
  REQUIRE(plain.status == Status::kComplete);
  CHECK(plain.data == data);
  CHECK(plain.trailers.empty());

  const Decoded trailed = FeedAllWays(Encode(data, 65536, true, {{"x-amz-checksum-crc32c", "sOO8/Q=="}}));
  REQUIRE(trailed.status == Status::kComplete);
  CHECK(trailed.data == data);
  CHECK(trailed.trailers ==
        AwsTrailers{{"x-amz-checksum-crc32c", "sOO8/Q=="}, {"x-amz-trailer-signature", kSig}});

  AwsChunkedDecoder decoder(kMax);
  const std::string raw = Encode("abc", 1, false, {{"X-Amz-Checksum-SHA256", "x"}, {"x-other", "y"}});
  size_t at = 0;
  Status status = Status::kIncomplete;
  while (status == Status::kIncomplete) {
    size_t used = 0;
    std::string_view run;
    status = decoder.Decode(std::string_view(raw).substr(at), &used, &run);
    at += used;
  }
  CHECK(status == Status::kComplete);
  CHECK(decoder.trailer("x-amz-checksum-sha256") == "x");
  CHECK(decoder.trailer("x-other") == "y");
  CHECK_FALSE(decoder.trailer("x-amz-checksum-crc32"));
}

TEST_CASE("aws-chunked: every split into two pieces decodes as the whole") {
  const std::string raw = Encode(Pattern(40), 16, true, {{"x-amz-checksum-crc32", "abc="}});
  const Decoded whole = Feed(raw, 0);
  REQUIRE(whole.status == Status::kComplete);
  for (size_t cut = 1; cut < raw.size(); ++cut) {
    AwsChunkedDecoder decoder(kMax);
    std::string data;
    size_t at = 0;
    for (size_t end : {cut, raw.size()}) {
      Status status = Status::kIncomplete;
      while (at < end && status == Status::kIncomplete) {
        size_t used = 0;
        std::string_view run;
        status = decoder.Decode(std::string_view(raw).substr(at, end - at), &used, &run);
        data.append(run);
        at += used;
      }
    }
    INFO("cut " << cut);
    CHECK(decoder.done());
    CHECK(data == whole.data);
    CHECK(decoder.trailers() == whole.trailers);
  }
}

TEST_CASE("aws-chunked: the leniencies SDKs need") {
  // Trailer lines ending in a bare LF; blanks around name and value.
  Decoded d = FeedAllWays("3\r\nabc\r\n0\r\nX-Amz-Checksum-CRC32 : v1 \nx-b:\t\r\n\n");
  REQUIRE(d.status == Status::kComplete);
  CHECK(d.trailers == AwsTrailers{{"x-amz-checksum-crc32", "v1"}, {"x-b", ""}});
  // The body ends without the final blank line: after the last chunk, or after a whole trailer.
  CHECK(FeedAllWays("3\r\nabc\r\n0\r\n").status == Status::kComplete);
  d = FeedAllWays("3\r\nabc\r\n0;chunk-signature=" + kSig + "\r\nx-amz-checksum-crc32:NhCmhg==\r\n");
  CHECK(d.status == Status::kComplete);
  CHECK(d.trailers.size() == 1);
  // Chunk extensions other than a signature are ignored.
  CHECK(FeedAllWays("3;foo=bar;x\r\nabc\r\n0;\r\n\r\n").data == "abc");
}

TEST_CASE("aws-chunked: a cut body is never complete") {
  const std::string raw = Encode("hello world", 4, true, {{"x-amz-checksum-crc32", "abc="}});
  const std::string end_of_last_chunk = "0;chunk-signature=" + kSig + "\r\n";
  const size_t last_chunk = raw.find(end_of_last_chunk);
  for (size_t n = 0; n < raw.size(); ++n) {
    const std::string_view cut = std::string_view(raw).substr(0, n);
    const bool at_line_after_last_chunk =
        n >= last_chunk + end_of_last_chunk.size() && (n == 0 || raw[n - 1] == '\n');
    INFO("cut at " << n);
    CHECK((Feed(cut, 0).status == Status::kComplete) == at_line_after_last_chunk);
    CHECK(Feed(cut, 1).status == Feed(cut, 0).status);
  }
  CHECK(Feed("5\r\nhello\r\n", 0).status == Status::kBad);  // no zero-size chunk
  CHECK(Feed("", 0).status == Status::kBad);
  CHECK(Feed("0\r\nx-a:b\r", 0).status == Status::kBad);
}

TEST_CASE("aws-chunked: malformed framing is kBad") {
  const char* bad[] = {
      "g\r\nabc\r\n0\r\n\r\n",                   // not hex
      "0x3\r\nabc\r\n0\r\n\r\n",                 // no prefix allowed
      "-3\r\nabc\r\n0\r\n\r\n",
      "+3\r\nabc\r\n0\r\n\r\n",
      " 3\r\nabc\r\n0\r\n\r\n",
      "3 \r\nabc\r\n0\r\n\r\n",
      "\r\nabc\r\n0\r\n\r\n",                    // no size
      ";chunk-signature=ab\r\n0\r\n\r\n",
      "10000000000000000\r\n",                    // 17 digits: over 64 bits
      "3\nabc\r\n0\r\n\r\n",                      // bare LF after the size
      "3\r\nabcd\r\n0\r\n\r\n",                   // data longer than said
      "3\r\nabc\n0\r\n\r\n",                      // no CR after the data
      "3\r\nabc\r0\r\n\r\n",                      // no LF after the data
      "3\r\nabc0\r\n\r\n",                        // no CRLF after the data
      "0\r\nx-amz-checksum-crc32\r\n\r\n",        // trailer without a colon
      "0\r\n:v\r\n\r\n",                          // trailer without a name
      "0\r\nx a:v\r\n\r\n",                       // a name is a token
      "0\r\nx-a:v\rw\r\n\r\n",                    // stray CR
      "0\r\nx-a:v\r\r\n\r\n",
  };
  for (const char* raw : bad) {
    INFO(raw);
    CHECK(FeedAllWays(raw).status == Status::kBad);
  }
  // Bytes after the end are left to the caller by the decoder; the one-call form rejects them.
  const std::string extra = "3\r\nabc\r\n0\r\n\r\nX";
  const Decoded d = Feed(extra, 0);
  CHECK(d.status == Status::kComplete);
  CHECK(d.consumed == extra.size() - 1);
  std::string data = "junk";
  CHECK(DecodeAwsChunked(extra, kMax, &data) == Status::kBad);
  CHECK(data.empty());
}

TEST_CASE("aws-chunked: limits on lines, trailers and decoded bytes") {
  // A size line of exactly kMaxAwsChunkLineBytes (CRLF included) is fine; one more is not.
  const std::string ext = ";x=" + std::string(kMaxAwsChunkLineBytes - 6, 'a');  // "3" ext CRLF
  CHECK(FeedAllWays("3" + ext + "\r\nabc\r\n0\r\n\r\n").status == Status::kComplete);
  CHECK(FeedAllWays("3" + ext + "a\r\nabc\r\n0\r\n\r\n").status == Status::kBad);
  CHECK(FeedAllWays("3" + ext + ext).status == Status::kBad);  // no line end at all

  // Trailers: kMaxAwsTrailerBytes in all, the blank line included.
  const std::string head = "0\r\nx-big:";
  const std::string value(kMaxAwsTrailerBytes - (head.size() - 3) - 4, 'v');
  CHECK(FeedAllWays(head + value + "\r\n\r\n").status == Status::kComplete);
  CHECK(FeedAllWays(head + value + "v\r\n\r\n").status == Status::kTooLarge);
  CHECK(FeedAllWays(head + value + value).status == Status::kTooLarge);

  // Decoded bytes: up to the limit, and no byte of a chunk that would pass it is handed out.
  const std::string data = Pattern(100);
  CHECK(FeedAllWays(Encode(data, 30, false), 100).status == Status::kComplete);
  CHECK(FeedAllWays(Encode(data, 30, false), 99).status == Status::kTooLarge);
  CHECK(FeedAllWays(Encode(data, 30, false), 0).status == Status::kTooLarge);
  CHECK(FeedAllWays(Encode("", 30, false), 0).status == Status::kComplete);
  const Decoded over = Feed(Encode(data, 30, false), 0, 89);
  CHECK(over.status == Status::kTooLarge);
  CHECK(over.data.size() <= 60);
  CHECK(FeedAllWays("ffffffffffffffff\r\n", UINT64_MAX - 1).status == Status::kTooLarge);
  CHECK(Feed("ffffffffffffffff\r\n", 0, UINT64_MAX).status == Status::kBad);  // cut, not too large
}

TEST_CASE("aws-chunked: failures are sticky") {
  AwsChunkedDecoder decoder(kMax);
  size_t used = 99;
  std::string_view run;
  CHECK(decoder.Decode("z\r\n", &used, &run) == Status::kBad);
  CHECK(decoder.Decode("0\r\n\r\n", &used, &run) == Status::kBad);
  CHECK(used == 0);
  CHECK(decoder.Finish() == Status::kBad);
  CHECK(decoder.failed());
}

TEST_CASE("aws-chunked: which requests carry it, and the Content-Encoding S3 keeps") {
  CHECK(IsAwsChunkedPayload("STREAMING-UNSIGNED-PAYLOAD-TRAILER"));
  CHECK(IsAwsChunkedPayload("STREAMING-AWS4-HMAC-SHA256-PAYLOAD"));
  CHECK(IsAwsChunkedPayload("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"));
  CHECK(IsAwsChunkedPayload("STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD"));
  CHECK_FALSE(IsAwsChunkedPayload("UNSIGNED-PAYLOAD"));
  CHECK_FALSE(IsAwsChunkedPayload("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
  CHECK_FALSE(IsAwsChunkedPayload(""));

  CHECK(StripAwsChunkedEncoding("aws-chunked") == "");
  CHECK(StripAwsChunkedEncoding("aws-chunked,gzip") == "gzip");
  CHECK(StripAwsChunkedEncoding("gzip, AWS-Chunked") == "gzip");
  CHECK(StripAwsChunkedEncoding("gzip, br") == "gzip,br");
  CHECK(StripAwsChunkedEncoding("") == "");
}
