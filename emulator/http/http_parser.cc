#include "http/http_parser.h"

#include <algorithm>
#include <charconv>
#include <limits>

namespace ll {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}


bool ContainsToken(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    size_t comma = value.find(',');
    if (EqualsIgnoreCase(Trim(value.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

uint64_t SaturatingAdd(uint64_t a, uint64_t b) {
  return a > std::numeric_limits<uint64_t>::max() - b ? std::numeric_limits<uint64_t>::max() : a + b;
}

}  // namespace

// ---- HttpBodyDecoder -------------------------------------------------------------------------

HttpBodyDecoder HttpBodyDecoder::ForLength(uint64_t length) {
  HttpBodyDecoder d;
  d.state_ = length == 0 ? State::kDone : State::kLengthData;
  d.remaining_ = length;
  d.max_body_ = length;
  return d;
}

HttpBodyDecoder HttpBodyDecoder::ForChunked(uint64_t max_body) {
  HttpBodyDecoder d;
  d.state_ = State::kChunkLine;
  d.chunked_ = true;
  d.max_body_ = max_body;
  d.max_raw_ = SaturatingAdd(SaturatingAdd(max_body, max_body), kMaxChunkLineBytes);
  return d;
}

HttpParse HttpBodyDecoder::Fail(State state) {
  state_ = state;
  line_.clear();
  return state == State::kBad ? HttpParse::kBad : HttpParse::kTooLarge;
}

// `line_` is a whole chunk-size line ending in CRLF. The limits are checked here, once per
// line, so where a read happens to end cannot change which limit a request hits first.
bool HttpBodyDecoder::ParseChunkLine() {
  std::string_view text(line_);
  text.remove_suffix(2);
  text = Trim(text.substr(0, text.find(';')));  // chunk extensions are ignored
  uint64_t size = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), size, 16);
  line_.clear();
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    Fail(State::kBad);
    return false;
  }
  if (size > max_body_ - decoded_ || SaturatingAdd(framed_raw_, SaturatingAdd(size, 2)) > max_raw_) {
    Fail(State::kTooLarge);
    return false;
  }
  remaining_ = size;
  state_ = size == 0 ? State::kTrailers : State::kChunkData;
  return true;
}

HttpParse HttpBodyDecoder::Decode(std::string_view raw, size_t max_data, size_t* consumed,
                                  std::string_view* data) {
  size_t pos = 0;
  *data = {};
  auto stop = [&](HttpParse status) {
    *consumed = pos;
    raw_consumed_ += pos;
    return status;
  };
  while (true) {
    switch (state_) {
      case State::kDone:
        return stop(HttpParse::kComplete);
      case State::kBad:
        return stop(HttpParse::kBad);
      case State::kTooLarge:
        return stop(HttpParse::kTooLarge);
      case State::kLengthData:
      case State::kChunkData: {
        if (remaining_ == 0) {
          state_ = chunked_ ? State::kChunkCr : State::kDone;
          continue;
        }
        if (!data->empty()) return stop(HttpParse::kIncomplete);  // one run per call
        const size_t n = size_t(std::min<uint64_t>({remaining_, raw.size() - pos, max_data}));
        if (n == 0) return stop(HttpParse::kIncomplete);
        *data = raw.substr(pos, n);
        pos += n;
        remaining_ -= n;
        decoded_ += n;
        framed_raw_ += n;
        continue;
      }
      case State::kChunkCr:
      case State::kChunkLf: {
        if (pos == raw.size()) return stop(HttpParse::kIncomplete);
        const char want = state_ == State::kChunkCr ? '\r' : '\n';
        if (raw[pos] != want) return stop(Fail(State::kBad));
        ++pos;
        ++framed_raw_;
        state_ = state_ == State::kChunkCr ? State::kChunkLf : State::kChunkLine;
        continue;
      }
      case State::kChunkLine: {
        if (pos == raw.size()) return stop(HttpParse::kIncomplete);
        const size_t nl = raw.find('\n', pos);
        const size_t take = (nl == std::string_view::npos ? raw.size() : nl + 1) - pos;
        if (line_.size() + take > kMaxChunkLineBytes) return stop(Fail(State::kBad));
        line_.append(raw.substr(pos, take));
        pos += take;
        framed_raw_ += take;
        // A bare LF does not end the line: only CRLF does (as the head's lines).
        if (nl == std::string_view::npos || line_.size() < 2 || line_[line_.size() - 2] != '\r') continue;
        if (!ParseChunkLine()) return stop(state_ == State::kBad ? HttpParse::kBad : HttpParse::kTooLarge);
        continue;
      }
      case State::kTrailers: {
        if (pos == raw.size()) return stop(HttpParse::kIncomplete);
        const size_t nl = raw.find('\n', pos);
        const size_t end = nl == std::string_view::npos ? raw.size() : nl + 1;
        const bool cr_before = nl == std::string_view::npos ? false : nl > pos ? raw[nl - 1] == '\r' : trailer_cr_;
        const size_t take = end - pos;
        pos = end;
        trailer_bytes_ += take;
        if (trailer_bytes_ > kMaxHttpHeadBytes) return stop(Fail(State::kTooLarge));
        trailer_line_ += take;
        trailer_cr_ = raw[end - 1] == '\r';
        if (nl == std::string_view::npos || !cr_before) continue;  // a bare LF is part of the line
        const bool empty_line = trailer_line_ == 2;
        trailer_line_ = 0;
        trailer_cr_ = false;
        if (empty_line) state_ = State::kDone;
        continue;
      }
    }
  }
}

// ---- HttpRequestParser -----------------------------------------------------------------------

void HttpRequestParser::Reset() {
  scanned_ = 0;
  head_size_ = 0;
  head_parsed_ = false;
  head_status_ = HttpParse::kIncomplete;
  body_at_ = 0;
  body_ = HttpBodyDecoder();
}

HttpParse HttpRequestParser::ParseHead(std::string_view data, HttpRequest* out) {
  if (head_status_ != HttpParse::kIncomplete) return head_status_;
  // Tolerate empty lines before a request line (RFC 9112 2.2).
  size_t start = 0;
  while (data.substr(start, 2) == "\r\n") {
    start += 2;
    if (start > 8) return head_status_ = HttpParse::kBad;  // more than a stray line or two: not a client
  }
  // Look for the blank line only among bytes not looked at before (and the 3 before them,
  // in case it straddles the reads).
  const size_t from = std::max(start, scanned_ >= 3 ? scanned_ - 3 : 0);
  const size_t head_end = data.find("\r\n\r\n", from);
  if (head_end == std::string_view::npos) {
    examined_ += data.size() - std::min(from, data.size());
    scanned_ = data.size();
    // Too large once even a blank line starting at the last 3 bytes would end past the limit.
    return data.size() - start > kMaxHttpHeadBytes + 3 ? head_status_ = HttpParse::kTooLarge
                                                        : HttpParse::kIncomplete;
  }
  examined_ += head_end + 4 - from;
  scanned_ = head_end + 4;
  if (head_end - start > kMaxHttpHeadBytes) return head_status_ = HttpParse::kTooLarge;
  head_size_ = head_end + 4;
  examined_ += head_end - start;
  return head_status_ = ParseHeadLines(data, start, head_end, out);
}

HttpParse HttpRequestParser::ParseHeadLines(std::string_view data, size_t start, size_t head_end,
                                            HttpRequest* out) {
  std::string_view head = data.substr(start, head_end - start);
  size_t line_end = head.find("\r\n");
  std::string_view request_line = head.substr(0, line_end);
  head = line_end == std::string_view::npos ? std::string_view() : head.substr(line_end + 2);

  size_t sp1 = request_line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : request_line.find(' ', sp1 + 1);
  if (sp1 == 0 || sp2 == std::string_view::npos || request_line.find(' ', sp2 + 1) != std::string_view::npos) {
    return HttpParse::kBad;
  }
  std::string_view version = request_line.substr(sp2 + 1);
  if (version != "HTTP/1.1" && version != "HTTP/1.0") return HttpParse::kBad;
  std::string_view target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (!IsHttpToken(request_line.substr(0, sp1)) || target.empty() || target.front() != '/') return HttpParse::kBad;
  out->method.assign(request_line.substr(0, sp1));
  out->target.assign(target);
  const size_t query_at = target.find('?');
  out->path = PercentDecode(target.substr(0, query_at), false);
  out->params = query_at == std::string_view::npos ? decltype(out->params)() : ParseQuery(target.substr(query_at + 1));
  out->headers.clear();
  out->header_names_as_sent.clear();
  out->body.clear();
  out->body_reader = nullptr;
  out->route.clear();
  out->http_1_0 = version == "HTTP/1.0";
  out->keep_alive = !out->http_1_0;
  out->expects_continue = false;

  bool chunked = false;
  bool has_length = false;
  uint64_t length = 0;
  while (!head.empty()) {
    line_end = head.find("\r\n");
    std::string_view line = head.substr(0, line_end);
    head = line_end == std::string_view::npos ? std::string_view() : head.substr(line_end + 2);
    size_t colon = line.find(':');
    if (colon == 0 || colon == std::string_view::npos || line.front() == ' ' || line.front() == '\t') {
      return HttpParse::kBad;  // no name, or obsolete line folding
    }
    if (!IsHttpToken(line.substr(0, colon))) return HttpParse::kBad;  // e.g. "Content-Length : 5" (RFC 9112 5.1)
    std::string name = Lower(line.substr(0, colon));
    std::string_view value = Trim(line.substr(colon + 1));
    if (name == "content-length") {
      uint64_t n = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || end != value.data() + value.size() || value.empty() ||
          (has_length && n != length)) {
        return ec == std::errc::result_out_of_range ? HttpParse::kTooLarge : HttpParse::kBad;
      }
      has_length = true;
      length = n;
    } else if (name == "transfer-encoding") {
      if (!EqualsIgnoreCase(value, "chunked")) return HttpParse::kBad;
      chunked = true;
    } else if (name == "connection") {
      if (ContainsToken(value, "close")) out->keep_alive = false;
      if (ContainsToken(value, "keep-alive")) out->keep_alive = true;
    } else if (name == "expect") {
      out->expects_continue = EqualsIgnoreCase(value, "100-continue");
    }
    out->headers.emplace_back(std::move(name), std::string(value));
    out->header_names_as_sent.emplace_back(line.substr(0, colon));
  }
  if (chunked && has_length) return HttpParse::kBad;  // request smuggling shape (RFC 9112 6.1)
  head_parsed_ = true;
  if (chunked) {
    body_ = HttpBodyDecoder::ForChunked(max_body_);
  } else {
    if (length > max_body_) return HttpParse::kTooLarge;
    body_ = HttpBodyDecoder::ForLength(length);
  }
  return HttpParse::kComplete;
}

HttpParseResult HttpRequestParser::Parse(std::string_view data, HttpRequest* out) {
  HttpParseResult result;
  if (head_status_ != HttpParse::kComplete) {
    result.status = ParseHead(data, out);
    result.headers_done = head_parsed_;
    if (result.status != HttpParse::kComplete) return result;
    body_at_ = head_size_;
    if (!body_.chunked()) out->body.reserve(size_t(body_.remaining_length()));
  }
  result.headers_done = true;
  while (true) {
    size_t used = 0;
    std::string_view run;
    result.status = body_.Decode(data.substr(body_at_), std::numeric_limits<size_t>::max(), &used, &run);
    out->body.append(run);
    body_at_ += used;
    examined_ += used;
    if (result.status == HttpParse::kComplete) {
      result.consumed = body_at_;
      return result;
    }
    if (result.status != HttpParse::kIncomplete || body_at_ == data.size()) return result;
  }
}

HttpParseResult ParseHttpRequest(std::string_view data, size_t max_body, HttpRequest* out) {
  HttpRequestParser parser(max_body);
  return parser.Parse(data, out);
}

}  // namespace ll
