#include "api/function_json.h"

#include <fmt/format.h>

#include "base/strings.h"

namespace ll {

std::string FunctionConfigurationJson(const FunctionConfig& fn) {
  std::string env;
  for (const auto& [k, v] : fn.environment) {
    if (!env.empty()) env += ",";
    env += JsonQuote(k) + ":" + JsonQuote(v);
  }
  std::string out = "{";
  out += "\"FunctionName\":" + JsonQuote(fn.name);
  out += ",\"FunctionArn\":" + JsonQuote(fn.Arn());
  out += ",\"Runtime\":" + JsonQuote(fn.runtime);
  out += ",\"Role\":" + JsonQuote(fmt::format("arn:aws:iam::{}:role/lambda-local", fn.account_id));
  out += ",\"Handler\":" + JsonQuote(fn.handler);
  out += ",\"CodeSize\":0,\"Description\":\"\"";
  out += fmt::format(",\"Timeout\":{},\"MemorySize\":{}", fn.timeout_s, fn.memory_mb);
  out += ",\"LastModified\":\"1970-01-01T00:00:00.000+0000\",\"CodeSha256\":\"\"";
  out += ",\"Version\":\"$LATEST\"";
  if (!env.empty()) out += ",\"Environment\":{\"Variables\":{" + env + "}}";
  out += ",\"TracingConfig\":{\"Mode\":\"PassThrough\"}";
  out += ",\"State\":\"Active\",\"LastUpdateStatus\":\"Successful\",\"PackageType\":\"Zip\"";
  out += ",\"Architectures\":[\"x86_64\"],\"EphemeralStorage\":{\"Size\":512}";
  out += ",\"LoggingConfig\":{\"LogFormat\":\"Text\",\"LogGroup\":" +
         JsonQuote("/aws/lambda/" + fn.name) + "}";
  out += ",\"SnapStart\":{\"ApplyOn\":\"None\",\"OptimizationStatus\":\"Off\"}";
  out += "}";
  return out;
}

std::string FunctionJson(const FunctionConfig& fn) {
  std::string out = "{\"Configuration\":" + FunctionConfigurationJson(fn);
  out += ",\"Code\":{\"RepositoryType\":\"Local\",\"Location\":" +
         JsonQuote("file://" + fn.code_dir.string()) + "}";
  if (fn.reserved_concurrency) {
    out += fmt::format(",\"Concurrency\":{{\"ReservedConcurrentExecutions\":{}}}",
                       *fn.reserved_concurrency);
  }
  out += "}";
  return out;
}

}  // namespace ll
