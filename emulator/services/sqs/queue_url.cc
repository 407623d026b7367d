#include "services/sqs/queue_url.h"

#include <fmt/format.h>

namespace ll::sqs {

std::optional<QueueUrlParts> ParseQueueUrl(std::string_view url) {
  std::string_view path = url;
  if (size_t scheme = url.find("://"); scheme != std::string_view::npos) {
    size_t slash = url.find('/', scheme + 3);
    if (slash == std::string_view::npos) return std::nullopt;
    path = url.substr(slash);
  }
  if (size_t q = path.find_first_of("?#"); q != std::string_view::npos) path = path.substr(0, q);
  if (path.empty() || path.front() != '/') return std::nullopt;
  path.remove_prefix(1);
  if (!path.empty() && path.back() == '/') path.remove_suffix(1);
  size_t slash = path.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  std::string_view first = path.substr(0, slash);
  std::string_view name = path.substr(slash + 1);
  if (first.empty() || name.empty() || name.find('/') != std::string_view::npos) {
    return std::nullopt;
  }
  QueueUrlParts parts;
  if (first != "queue") parts.account = std::string(first);
  parts.name = std::string(name);
  return parts;
}

std::string MakeQueueUrl(std::string_view host, std::string_view account, std::string_view name) {
  return fmt::format("http://{}/{}/{}", host, account, name);
}

}  // namespace ll::sqs
