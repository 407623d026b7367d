// SNS's wire protocol, the query protocol: form parameters in (body or query string),
// "<Action>Response" XML out, errors as <ErrorResponse> with AWS's status codes.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "services/sns/sns_service.h"

namespace ll::sns {

struct SnsHttpResponse {
  int status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// Answers one query-protocol request (`query`: the target's query string; `body`: the form).
SnsHttpResponse HandleSnsQuery(SnsService& sns, std::string_view query, std::string_view body);

}  // namespace ll::sns
