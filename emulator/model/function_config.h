// FunctionConfig: everything lambda-local knows about one function, as a plain value.
// Built by the template loader; immutable once handed to the invoker.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace ll {

struct FunctionConfig {
  std::string name;        // FunctionName (or the template's logical id)
  std::string logical_id;  // key in the template's Resources
  std::string runtime;     // e.g. "python3.12", "provided.al2023"
  std::string handler;     // e.g. "app.handler"; unused by provided runtimes
  std::filesystem::path code_dir;  // absolute
  int memory_mb = 128;
  int timeout_s = 3;
  std::map<std::string, std::string> environment;  // user's Environment.Variables
  std::optional<int> reserved_concurrency;         // ReservedConcurrentExecutions
  std::string region = "us-east-1";
  std::string account_id = "000000000000";

  // arn:aws:lambda:<region>:<account>:function:<name>
  std::string Arn() const {
    return "arn:aws:lambda:" + region + ":" + account_id + ":function:" + name;
  }
};

}  // namespace ll
