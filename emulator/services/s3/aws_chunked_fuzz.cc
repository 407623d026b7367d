// libFuzzer target for the aws-chunked decoder. Input: a byte that chooses the limit on
// decoded bytes, two bytes that choose a split point and seed the piece sizes, then the body.
// The body is decoded three ways, which must agree: in one call; in two pieces split at the
// chosen point; and in pieces of random sizes. A body that decodes is then encoded again the
// canonical way and must decode to the same data and trailers.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "services/s3/aws_chunked.h"

namespace {

using ll::s3::AwsChunkedDecoder;
using ll::s3::AwsChunkedStatus;
using ll::s3::AwsTrailers;

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "aws_chunked_fuzz: %s\n", what);
    std::abort();
  }
}

struct Rng {
  uint32_t state;
  uint32_t Next() {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state;
  }
  // Mostly tiny pieces, sometimes large ones.
  size_t Size() {
    const uint32_t r = Next();
    switch (r % 3) {
      case 0: return 1;
      case 1: return 1 + (r >> 8) % 16;
      default: return 1 + (r >> 8) % 5000;
    }
  }
};

struct Outcome {
  AwsChunkedStatus status = AwsChunkedStatus::kIncomplete;
  std::string data;
  AwsTrailers trailers;
  uint64_t decoded = 0;
};

// Decodes `raw` handed over in pieces whose ends are `cuts` (the last one raw.size()).
Outcome Decode(std::string_view raw, uint64_t max, const std::vector<size_t>& cuts) {
  AwsChunkedDecoder decoder(max);
  Outcome out;
  size_t at = 0;
  for (size_t end : cuts) {
    while (at < end) {
      size_t used = 0;
      std::string_view run;
      const std::string_view piece = raw.substr(at, end - at);
      out.status = decoder.Decode(piece, &used, &run);
      Check(used <= piece.size(), "consumed more than given");
      Check(run.empty() || (run.data() >= piece.data() && run.data() + run.size() <= piece.data() + used),
            "a run outside the consumed bytes");
      at += used;
      if (out.status == AwsChunkedStatus::kIncomplete || out.status == AwsChunkedStatus::kComplete) {
        out.data.append(run);
      }
      if (out.status != AwsChunkedStatus::kIncomplete) break;
      Check(used > 0, "no progress");
    }
    if (out.status != AwsChunkedStatus::kIncomplete) break;
  }
  if (out.status == AwsChunkedStatus::kIncomplete) out.status = decoder.Finish();
  if (out.status == AwsChunkedStatus::kComplete) {
    Check(decoder.done() && !decoder.failed(), "complete but not done");
    if (at != raw.size()) out.status = AwsChunkedStatus::kBad;  // bytes after the end, as the one-call form
  } else {
    Check(out.status != AwsChunkedStatus::kIncomplete && decoder.failed(), "ended neither done nor failed");
    Check(decoder.Finish() == out.status, "failure not sticky");
  }
  out.trailers = decoder.trailers();
  out.decoded = decoder.decoded();
  Check(out.decoded == out.data.size() || out.status != AwsChunkedStatus::kComplete, "decoded() is not the data");
  Check(out.decoded <= max, "decoded over the limit");
  return out;
}

std::string Encode(std::string_view data, size_t chunk, const AwsTrailers& trailers) {
  std::string out;
  char line[40];
  for (size_t at = 0; at < data.size(); at += chunk) {
    const std::string_view piece = data.substr(at, chunk);
    std::snprintf(line, sizeof line, "%zx;chunk-signature=", piece.size());
    out += line + std::string(64, '0') + "\r\n";
    out += piece;
    out += "\r\n";
  }
  out += "0\r\n";
  for (const auto& [name, value] : trailers) out += name + ":" + value + "\r\n";
  return out + "\r\n";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  if (size < 3) return 0;
  static const uint64_t kLimits[] = {0, 1, 5, 100, 4096, UINT64_MAX};
  const uint64_t max = kLimits[bytes[0] % 6];
  Rng rng{0x9E3779B9u ^ (uint32_t(bytes[1]) << 8) ^ bytes[2] ^ uint32_t(size) << 16};
  const std::string_view raw(reinterpret_cast<const char*>(bytes) + 3, size - 3);

  std::string whole_data;
  AwsTrailers whole_trailers;
  const AwsChunkedStatus whole = ll::s3::DecodeAwsChunked(raw, max, &whole_data, &whole_trailers);
  Check(whole != AwsChunkedStatus::kIncomplete, "one call left it incomplete");

  const size_t split = raw.empty() ? 0 : (size_t(bytes[1]) << 8 | bytes[2]) % (raw.size() + 1);
  std::vector<size_t> random_cuts;
  for (size_t at = 0; at < raw.size();) random_cuts.push_back(at = std::min(raw.size(), at + rng.Size()));
  if (random_cuts.empty()) random_cuts.push_back(0);

  for (const std::vector<size_t>& cuts : {std::vector<size_t>{split, raw.size()}, random_cuts}) {
    const Outcome o = Decode(raw, max, cuts);
    Check(o.status == whole, "pieces changed the status");
    if (whole != AwsChunkedStatus::kComplete) continue;
    Check(o.data == whole_data, "pieces changed the data");
    Check(o.trailers == whole_trailers, "pieces changed the trailers");
  }

  if (whole == AwsChunkedStatus::kComplete) {
    size_t trailer_bytes = 2;
    for (const auto& [name, value] : whole_trailers) trailer_bytes += name.size() + value.size() + 3;
    if (trailer_bytes <= ll::s3::kMaxAwsTrailerBytes) {
      std::string again;
      AwsTrailers again_trailers;
      const std::string encoded = Encode(whole_data, 1 + rng.Next() % 64, whole_trailers);
      Check(ll::s3::DecodeAwsChunked(encoded, max, &again, &again_trailers) == AwsChunkedStatus::kComplete,
            "the canonical encoding did not decode");
      Check(again == whole_data && again_trailers == whole_trailers, "the canonical encoding changed");
    }
  }
  return 0;
}
