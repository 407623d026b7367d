// libFuzzer target for the request parser (build: see the end of emulator/CMakeLists.txt).
// Input: two bytes that choose the body limit and seed the read sizes, then the bytes of one
// connection. Each request is parsed three ways, which must agree: whole in one call; in
// reads of random sizes (the parser resuming after each); and as the server reads it, head
// first, then the body decoded into buffers of random sizes from random pieces. The work
// must stay linear in the input, whatever the split.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http/http_parser.h"

namespace {

using ll::HttpBodyDecoder;
using ll::HttpParse;
using ll::HttpParseResult;
using ll::HttpRequest;
using ll::HttpRequestParser;

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "http_parser_fuzz: %s\n", what);
    std::abort();
  }
}

// Small deterministic generator for read sizes.
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
    uint32_t r = Next();
    switch (r % 4) {
      case 0: return 1;
      case 1: return 1 + (r >> 8) % 8;
      case 2: return 1 + (r >> 8) % 300;
      default: return 1 + (r >> 8) % 70000;
    }
  }
};

// Parses one request in reads of random sizes.
HttpParseResult InPieces(std::string_view data, uint64_t max_body, Rng& rng, HttpRequest* req, uint64_t* examined) {
  HttpRequestParser parser(max_body);
  HttpParseResult r;
  size_t have = 0;
  do {
    have = std::min(data.size(), have + rng.Size());
    r = parser.Parse(data.substr(0, have), req);
  } while (r.status == HttpParse::kIncomplete && have < data.size());
  Check(r.status != HttpParse::kIncomplete || have == data.size(), "stopped early");
  *examined = parser.examined();
  return r;
}

// Parses one request as the server does: the head, then the body decoded into buffers of
// random sizes from pieces of random sizes.
HttpParseResult AsServer(std::string_view data, uint64_t max_body, Rng& rng, std::string* body) {
  HttpRequestParser parser(max_body);
  HttpRequest req;
  HttpParseResult r;
  size_t have = 0;
  HttpParse head = HttpParse::kIncomplete;
  while (head == HttpParse::kIncomplete && have < data.size()) {
    have = std::min(data.size(), have + rng.Size());
    head = parser.ParseHead(data.substr(0, have), &req);
  }
  r.headers_done = parser.head_parsed();
  if (head != HttpParse::kComplete) {
    r.status = head;
    return r;
  }
  Check(req.body.empty(), "ParseHead left a body");
  HttpBodyDecoder& decoder = parser.body();
  size_t at = parser.head_size();
  have = std::max(have, at);
  while (true) {
    size_t used = 0;
    std::string_view run;
    const size_t room = rng.Size();
    HttpParse status = decoder.Decode(data.substr(at, have - at), room, &used, &run);
    Check(run.size() <= room, "a run larger than the room given");
    Check(used <= have - at, "consumed more than given");
    Check(run.empty() || (run.data() >= data.data() + at && run.data() + run.size() <= data.data() + at + used),
          "a run outside the consumed bytes");
    body->append(run);
    at += used;
    if (status == HttpParse::kComplete) {
      Check(decoder.done(), "complete but not done");
      r.status = status;
      r.consumed = at;
      return r;
    }
    if (status != HttpParse::kIncomplete) {
      Check(decoder.failed(), "failed but not failed()");
      r.status = status;
      return r;
    }
    if (at == have) {
      if (have == data.size()) {
        r.status = HttpParse::kIncomplete;
        return r;
      }
      have = std::min(data.size(), have + rng.Size());
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  if (size < 2) return 0;
  static const uint64_t kLimits[] = {0, 1, 5, 100, 4096, 1 << 20};
  const uint64_t max_body = kLimits[bytes[0] % 6];
  Rng rng{0x9E3779B9u ^ (uint32_t(bytes[1]) << 8) ^ uint32_t(size)};
  std::string_view data(reinterpret_cast<const char*>(bytes) + 2, size - 2);

  // The requests of a connection, one after another, as long as they parse.
  for (int n = 0; n < 8 && !data.empty(); ++n) {
    HttpRequest whole_req;
    HttpParseResult whole = ll::ParseHttpRequest(data, max_body, &whole_req);

    HttpRequest piece_req;
    uint64_t examined = 0;
    HttpParseResult pieces = InPieces(data, max_body, rng, &piece_req, &examined);
    Check(pieces.status == whole.status, "reads of other sizes changed the status");
    Check(pieces.headers_done == whole.headers_done, "reads of other sizes changed headers_done");
    Check(examined <= 8 * data.size() + 64, "work not linear in the input");

    std::string server_body;
    HttpParseResult served = AsServer(data, max_body, rng, &server_body);
    Check(served.status == whole.status, "the server's way changed the status");

    if (whole.status != HttpParse::kComplete) break;
    Check(whole.consumed > 0 && whole.consumed <= data.size(), "consumed out of range");
    Check(pieces.consumed == whole.consumed && served.consumed == whole.consumed, "consumed differs");
    Check(piece_req.body == whole_req.body && server_body == whole_req.body, "body differs");
    Check(whole_req.body.size() <= max_body, "body over the limit");
    Check(piece_req.method == whole_req.method && piece_req.target == whole_req.target &&
              piece_req.headers == whole_req.headers,
          "head differs");
    data.remove_prefix(whole.consumed);
  }
  return 0;
}
