#include "sandbox/environment_vars.h"

#include <algorithm>

#include <catch2/catch.hpp>

using namespace ll;

namespace {

std::string Get(const std::vector<std::string>& env, const std::string& name) {
  for (const auto& e : env) {
    if (e.rfind(name + "=", 0) == 0) return e.substr(name.size() + 1);
  }
  return "<unset>";
}

}  // namespace

TEST_CASE("reserved variables win over the user's, unreserved ones do not") {
  FunctionConfig fn;
  fn.name = "f";
  fn.handler = "app.handler";
  fn.code_dir = "/code";
  fn.memory_mb = 256;
  fn.environment = {{"AWS_REGION", "mars-1"}, {"LANG", "C"}, {"MINE", "1"},
                    {"AWS_LAMBDA_FUNCTION_NAME", "spoof"}};
  LaunchSpec launch;
  launch.runtime_dir = "/rt";
  launch.env = {{"AWS_EXECUTION_ENV", "AWS_Lambda_python3.12"}};
  HostSettings host;
  host.path = "/usr/bin";
  auto env = BuildEnvironment(fn, launch, host, "127.0.0.1:9001", "2024/01/01/[$LATEST]abc", "$LATEST");
  CHECK(Get(env, "AWS_REGION") == "us-east-1");
  CHECK(Get(env, "AWS_LAMBDA_FUNCTION_NAME") == "f");
  CHECK(Get(env, "LANG") == "C");
  CHECK(Get(env, "MINE") == "1");
  CHECK(Get(env, "_HANDLER") == "app.handler");
  CHECK(Get(env, "AWS_LAMBDA_RUNTIME_API") == "127.0.0.1:9001");
  CHECK(Get(env, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE") == "256");
  CHECK(Get(env, "AWS_LAMBDA_LOG_GROUP_NAME") == "/aws/lambda/f");
  CHECK(Get(env, "LAMBDA_TASK_ROOT") == "/code");
  CHECK(Get(env, "AWS_EXECUTION_ENV") == "AWS_Lambda_python3.12");
  CHECK(Get(env, "_X_AMZN_TRACE_ID") == "<unset>");
}

TEST_CASE("log stream names look like AWS's") {
  std::string s = NewLogStreamName("$LATEST");
  CHECK(s.size() == 10 + 1 + 9 + 32);
  CHECK(s.find("/[$LATEST]") == 10);
}
