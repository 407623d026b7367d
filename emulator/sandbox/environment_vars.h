// Builds the environment variables of a function process the way AWS does:
// unreserved defaults < the user's Environment.Variables < reserved platform variables.
#pragma once

#include <string>
#include <vector>

#include "model/function_config.h"
#include "sandbox/launch_spec.h"

namespace ll {

struct HostSettings {
  std::string endpoint_url;      // lambda-local's own front, for SDK calls made by the function
  std::string path;              // PATH the runtimes are found on
  std::string access_key_id = "test";
  std::string secret_access_key = "test";
  std::string session_token;     // empty: not set
};

// "/aws/lambda/<name>"
std::string LogGroupName(const FunctionConfig& fn);
// "YYYY/MM/DD/[$LATEST]<32 hex>"
std::string NewLogStreamName(const std::string& version);

std::vector<std::string> BuildEnvironment(const FunctionConfig& fn, const LaunchSpec& launch,
                                          const HostSettings& host, const std::string& runtime_api,
                                          const std::string& log_stream,
                                          const std::string& version);

}  // namespace ll
