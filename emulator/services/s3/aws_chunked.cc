#include "services/s3/aws_chunked.h"

#include "http/http_message.h"

#include <algorithm>
#include <charconv>

namespace ll::s3 {
namespace {

char LowerChar(char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; }


}  // namespace

bool IsAwsChunkedPayload(std::string_view content_sha256) {
  constexpr std::string_view kPrefix = "STREAMING-";
  return content_sha256.size() > kPrefix.size() && content_sha256.substr(0, kPrefix.size()) == kPrefix;
}

std::string StripAwsChunkedEncoding(std::string_view content_encoding) {
  std::string out;
  while (!content_encoding.empty()) {
    const size_t comma = content_encoding.find(',');
    const std::string_view coding = TrimOws(content_encoding.substr(0, comma));
    if (!coding.empty() && !EqualsIgnoreCase(coding, "aws-chunked")) {
      if (!out.empty()) out += ',';
      out += coding;
    }
    if (comma == std::string_view::npos) break;
    content_encoding.remove_prefix(comma + 1);
  }
  return out;
}

// ---- AwsChunkedDecoder -----------------------------------------------------------------------

std::optional<std::string_view> AwsChunkedDecoder::trailer(std::string_view lower_name) const {
  for (const auto& [name, value] : trailers_) {
    if (name == lower_name) return value;
  }
  return std::nullopt;
}

AwsChunkedStatus AwsChunkedDecoder::Fail(State state) {
  state_ = state;
  line_.clear();
  return state == State::kBad ? AwsChunkedStatus::kBad : AwsChunkedStatus::kTooLarge;
}

// `line_` is a whole size line ending in LF.
AwsChunkedStatus AwsChunkedDecoder::ParseSizeLine() {
  std::string_view text(line_);
  if (text.size() < 2 || text[text.size() - 2] != '\r') return Fail(State::kBad);
  text.remove_suffix(2);
  text = text.substr(0, text.find(';'));  // extensions: chunk-signature=..., not checked here
  const bool hex = !text.empty() && text.size() <= 16 && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  });
  uint64_t size = 0;
  if (!hex || std::from_chars(text.data(), text.data() + text.size(), size, 16).ec != std::errc()) {
    return Fail(State::kBad);
  }
  line_.clear();
  if (size > max_decoded_ - decoded_) return Fail(State::kTooLarge);
  remaining_ = size;
  state_ = size == 0 ? State::kTrailers : State::kData;
  return AwsChunkedStatus::kIncomplete;
}

// `line_` is a whole trailer line ending in LF (CR before it optional).
AwsChunkedStatus AwsChunkedDecoder::ParseTrailerLine() {
  std::string_view text(line_);
  text.remove_suffix(1);
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  if (text.empty()) {
    line_.clear();
    state_ = State::kDone;
    return AwsChunkedStatus::kComplete;
  }
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos || text.find('\r') != std::string_view::npos) return Fail(State::kBad);
  const std::string_view name = TrimOws(text.substr(0, colon));
  if (!IsHttpToken(name)) return Fail(State::kBad);
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(), LowerChar);
  trailers_.emplace_back(std::move(lower), std::string(TrimOws(text.substr(colon + 1))));
  line_.clear();
  return AwsChunkedStatus::kIncomplete;
}

AwsChunkedStatus AwsChunkedDecoder::Decode(std::string_view raw, size_t* consumed, std::string_view* data) {
  size_t pos = 0;
  *data = {};
  auto stop = [&](AwsChunkedStatus status) {
    *consumed = pos;
    return status;
  };
  while (true) {
    switch (state_) {
      case State::kDone:
        return stop(AwsChunkedStatus::kComplete);
      case State::kBad:
        return stop(AwsChunkedStatus::kBad);
      case State::kTooLarge:
        return stop(AwsChunkedStatus::kTooLarge);
      case State::kData: {
        if (!data->empty()) return stop(AwsChunkedStatus::kIncomplete);  // one run per call
        const size_t n = size_t(std::min<uint64_t>(remaining_, raw.size() - pos));
        if (n == 0) return stop(AwsChunkedStatus::kIncomplete);
        *data = raw.substr(pos, n);
        pos += n;
        remaining_ -= n;
        decoded_ += n;
        if (remaining_ == 0) state_ = State::kDataCr;
        continue;
      }
      case State::kDataCr:
      case State::kDataLf: {
        if (pos == raw.size()) return stop(AwsChunkedStatus::kIncomplete);
        if (raw[pos] != (state_ == State::kDataCr ? '\r' : '\n')) return stop(Fail(State::kBad));
        ++pos;
        state_ = state_ == State::kDataCr ? State::kDataLf : State::kSizeLine;
        continue;
      }
      case State::kSizeLine:
      case State::kTrailers: {
        if (pos == raw.size()) return stop(AwsChunkedStatus::kIncomplete);
        const size_t nl = raw.find('\n', pos);
        const size_t take = (nl == std::string_view::npos ? raw.size() : nl + 1) - pos;
        // The limits count whole bytes as they come, so where the input is split cannot change
        // which failure a body meets.
        if (state_ == State::kSizeLine && line_.size() + take > kMaxAwsChunkLineBytes) {
          return stop(Fail(State::kBad));
        }
        if (state_ == State::kTrailers && (trailer_bytes_ += take) > kMaxAwsTrailerBytes) {
          return stop(Fail(State::kTooLarge));
        }
        line_.append(raw.substr(pos, take));
        pos += take;
        if (nl == std::string_view::npos) continue;
        const AwsChunkedStatus status = state_ == State::kSizeLine ? ParseSizeLine() : ParseTrailerLine();
        if (status != AwsChunkedStatus::kIncomplete) return stop(status);
        continue;
      }
    }
  }
}

AwsChunkedStatus AwsChunkedDecoder::Finish() {
  // Ending at a line boundary after the zero-size chunk loses nothing but the blank line.
  if (state_ == State::kTrailers && line_.empty()) state_ = State::kDone;
  switch (state_) {
    case State::kDone: return AwsChunkedStatus::kComplete;
    case State::kTooLarge: return AwsChunkedStatus::kTooLarge;
    default: return Fail(State::kBad);
  }
}

AwsChunkedStatus DecodeAwsChunked(std::string_view body, uint64_t max_decoded, std::string* data,
                                  AwsTrailers* trailers) {
  AwsChunkedDecoder decoder(max_decoded);
  data->clear();
  AwsChunkedStatus status = AwsChunkedStatus::kIncomplete;
  while (status == AwsChunkedStatus::kIncomplete) {
    size_t used = 0;
    std::string_view run;
    status = decoder.Decode(body, &used, &run);
    if (status == AwsChunkedStatus::kIncomplete || status == AwsChunkedStatus::kComplete) data->append(run);
    body.remove_prefix(used);
    if (status == AwsChunkedStatus::kIncomplete && body.empty()) status = decoder.Finish();
  }
  if (status == AwsChunkedStatus::kComplete && !body.empty()) status = AwsChunkedStatus::kBad;
  if (status != AwsChunkedStatus::kComplete) data->clear();
  if (status == AwsChunkedStatus::kComplete && trailers) *trailers = decoder.trailers();
  return status;
}

}  // namespace ll::s3
