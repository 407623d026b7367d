// Reading a request body: the reader a handler is given (the server decodes Content-Length
// or chunked framing as the handler reads, so a large upload never sits in memory whole),
// and ReadBody for the handlers that want it in one string.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "base/status.h"
#include "http/http_message.h"

namespace ll {

// The Status code of a body over the limit given to ReadBody or the server's own.
inline constexpr char kHttpRequestTooLarge[] = "RequestTooLarge";
// The Status code of a body that cannot be read: bad framing, the peer gone or idle too long.
inline constexpr char kHttpBadBody[] = "BadRequestBody";

// The decoded bytes of one request body. Used by the thread running the handler.
class HttpBodyReader {
 public:
  virtual ~HttpBodyReader() = default;
  // Reads up to `n` (> 0) body bytes into `buf`; 0 at the end of the body. The first call
  // answers "100 Continue" when the client asked for it and has sent no body yet. An error
  // (kHttpBadBody or kHttpRequestTooLarge) once the framing is bad, the body is over the
  // server's limit, or the peer has gone or stayed idle too long; the connection then closes
  // after the response.
  virtual Result<size_t> Read(char* buf, size_t n) = 0;
  // The declared length; nullopt for a chunked body.
  virtual std::optional<uint64_t> content_length() const = 0;
};

// Reads the whole body into req.body and clears req.body_reader; nothing to do when there is
// no body or it was read. A body over `max_bytes` is kHttpRequestTooLarge and is not read
// further (a declared length over it is refused before reading, so no "100 Continue" is
// sent); req.keep_alive is then cleared so the connection closes after the response.
Status ReadBody(HttpRequest& req, size_t max_bytes);

}  // namespace ll
