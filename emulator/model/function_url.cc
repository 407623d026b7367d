#include "model/function_url.h"

#include <fmt/format.h>

#include "base/digest.h"

namespace ll {

std::string FunctionUrlId(std::string_view account_id, std::string_view region,
                          std::string_view function, std::string_view qualifier) {
  // 32 hex digits: lowercase letters and digits, as AWS's ids are.
  return Sha256Hex(fmt::format("{}\n{}\n{}\n{}", account_id, region, function, qualifier)).substr(0, 32);
}

std::string FunctionUrlOf(std::string_view url_id, std::string_view region,
                          std::string_view host_port) {
  std::string_view port;
  if (size_t colon = host_port.rfind(':'); colon != std::string_view::npos) {
    port = host_port.substr(colon);
  }
  return fmt::format("http://{}.lambda-url.{}.localhost{}/", url_id, region, port);
}

}  // namespace ll
