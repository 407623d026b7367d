#include "http/http_body.h"

#include <algorithm>

#include <fmt/format.h>

namespace ll {

Status ReadBody(HttpRequest& req, size_t max_bytes) {
  HttpBodyReader* reader = req.body_reader;
  if (!reader) return Status::Ok();
  auto too_large = [&req, max_bytes] {
    req.keep_alive = false;  // the rest of the body is not worth reading
    return Status::Error(kHttpRequestTooLarge,
                         fmt::format("the request body is larger than {} bytes", max_bytes));
  };
  req.body.clear();
  const std::optional<uint64_t> length = reader->content_length();
  if (length && *length > max_bytes) return too_large();
  // A declared length is read straight into place; a chunked body grows as it arrives,
  // checked against the limit one piece at a time.
  size_t size = 0;  // read so far
  req.body.resize(length ? size_t(*length) : std::min<size_t>(max_bytes, 64 * 1024));
  while (true) {
    if (size == req.body.size()) {
      if (length || size == max_bytes) {
        // Full: the body must end here. One more byte means it is longer than allowed.
        char probe;
        Result<size_t> more = reader->Read(&probe, 1);
        if (!more.ok()) {
          req.keep_alive = false;
          return more.status();
        }
        if (*more == 0) break;
        return too_large();
      }
      req.body.resize(std::min<size_t>(max_bytes, std::max<size_t>(size * 2, 64 * 1024)));
    }
    Result<size_t> got = reader->Read(req.body.data() + size, req.body.size() - size);
    if (!got.ok()) {
      req.keep_alive = false;
      return got.status();
    }
    if (*got == 0) {
      if (length) {
        req.keep_alive = false;
        return Status::Error(kHttpBadBody, "the request body ended before its Content-Length");
      }
      break;
    }
    size += *got;
  }
  req.body.resize(size);
  req.body_reader = nullptr;
  return Status::Ok();
}

}  // namespace ll
