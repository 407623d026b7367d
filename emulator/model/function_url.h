// FunctionUrlConfig: a function URL (a function's own HTTP endpoint) as the Lambda API creates
// and reports it: its id (the first label of its host), who may call it, CORS, the invoke mode.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ll {

// CORS as the caller gave it; absent members are not reported back.
struct FunctionUrlCors {
  std::optional<bool> allow_credentials;
  std::optional<std::vector<std::string>> allow_headers;
  std::optional<std::vector<std::string>> allow_methods;
  std::optional<std::vector<std::string>> allow_origins;
  std::optional<std::vector<std::string>> expose_headers;
  std::optional<int> max_age;

  bool operator==(const FunctionUrlCors&) const = default;
};

struct FunctionUrlConfig {
  std::string url_id;                  // 32 lowercase letters and digits
  std::string auth_type = "NONE";      // NONE or AWS_IAM
  std::string invoke_mode = "BUFFERED";  // BUFFERED or RESPONSE_STREAM
  std::optional<FunctionUrlCors> cors;
  std::string creation_time;       // "2026-12-08T01:40:00.123Z"
  std::string last_modified_time;  // the same form
  bool from_template = false;      // declared by the template, which makes it again at each start

  bool operator==(const FunctionUrlConfig&) const = default;
};

// Which function a URL invokes, with its configuration.
struct FunctionUrlTarget {
  std::string function;   // the name
  std::string qualifier;  // "" or an alias
  FunctionUrlConfig config;
};

// The id of the URL of `function` (a name) with `qualifier` ("" or an alias): the same for
// the same account, region, function and qualifier, so a URL survives being made again.
std::string FunctionUrlId(std::string_view account_id, std::string_view region,
                          std::string_view function, std::string_view qualifier);

// "http://<url-id>.lambda-url.<region>.localhost:<port>/": *.localhost reaches this machine
// in curl and browsers; `host_port` is the emulator's "localhost:4566".
std::string FunctionUrlOf(std::string_view url_id, std::string_view region,
                          std::string_view host_port);

}  // namespace ll
