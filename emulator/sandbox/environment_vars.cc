#include "sandbox/environment_vars.h"

#include <chrono>
#include <map>

#include "base/strings.h"

namespace ll {

std::string LogGroupName(const FunctionConfig& fn) { return "/aws/lambda/" + fn.name; }

std::string NewLogStreamName(const std::string& version) {
  return DatePathUtc(std::chrono::system_clock::now()) + "/[" + version + "]" + RandomHex(32);
}

std::vector<std::string> BuildEnvironment(const FunctionConfig& fn, const LaunchSpec& launch,
                                          const HostSettings& host, const std::string& runtime_api,
                                          const std::string& log_stream,
                                          const std::string& version) {
  const std::string task_root = fn.code_dir.string();
  std::map<std::string, std::string> env = {
      {"LANG", "en_US.UTF-8"},
      {"TZ", ":UTC"},
      {"PATH", host.path.empty() ? "/usr/local/bin:/usr/bin/:/bin:/opt/bin" : host.path},
      {"LD_LIBRARY_PATH", "/lib64:/usr/lib64:" + launch.runtime_dir + ":" + launch.runtime_dir +
                              "/lib:" + task_root + ":" + task_root + "/lib:/opt/lib"},
      {"AWS_XRAY_CONTEXT_MISSING", "LOG_ERROR"},
  };
  if (!host.endpoint_url.empty()) env["AWS_ENDPOINT_URL"] = host.endpoint_url;

  for (const auto& [k, v] : fn.environment) env[k] = v;

  // Reserved: the user cannot override these.
  for (const auto& [k, v] : launch.env) env[k] = v;
  env["AWS_REGION"] = fn.region;
  env["AWS_DEFAULT_REGION"] = fn.region;
  env["AWS_LAMBDA_FUNCTION_NAME"] = fn.name;
  env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = std::to_string(fn.memory_mb);
  env["AWS_LAMBDA_FUNCTION_VERSION"] = version;
  env["AWS_LAMBDA_INITIALIZATION_TYPE"] = "on-demand";
  env["AWS_LAMBDA_LOG_GROUP_NAME"] = LogGroupName(fn);
  env["AWS_LAMBDA_LOG_STREAM_NAME"] = log_stream;
  env["AWS_LAMBDA_RUNTIME_API"] = runtime_api;
  env["LAMBDA_TASK_ROOT"] = task_root;
  env["LAMBDA_RUNTIME_DIR"] = launch.runtime_dir;
  env["AWS_ACCESS_KEY_ID"] = host.access_key_id;
  env["AWS_ACCESS_KEY"] = host.access_key_id;
  env["AWS_SECRET_ACCESS_KEY"] = host.secret_access_key;
  if (!host.session_token.empty()) {
    env["AWS_SESSION_TOKEN"] = host.session_token;
  } else {
    env.erase("AWS_SESSION_TOKEN");
  }
  if (!fn.handler.empty()) env["_HANDLER"] = fn.handler;
  env.erase("_X_AMZN_TRACE_ID");  // set per invoke by the runtime

  std::vector<std::string> out;
  out.reserve(env.size());
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

}  // namespace ll
