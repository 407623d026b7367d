// Queue URLs: built from the host the client called, parsed whatever the host.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ll::sqs {

struct QueueUrlParts {
  std::string account;  // empty for the legacy "/queue/<name>" form
  std::string name;
};

// Accepts "http(s)://<any host>[:port]/<account>/<name>", the same without scheme and host
// ("/<account>/<name>", as a query-protocol request path), and the legacy ".../queue/<name>".
// A trailing slash or query string is ignored.
std::optional<QueueUrlParts> ParseQueueUrl(std::string_view url);

// "http://<host>/<account>/<name>"; `host` is the Host header, port included.
std::string MakeQueueUrl(std::string_view host, std::string_view account, std::string_view name);

}  // namespace ll::sqs
