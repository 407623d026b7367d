// FunctionConfig: everything lambda-local knows about one version of one function, as a plain
// value. Built by the template loader or the control plane; immutable once published.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ll {

struct FunctionConfig {
  std::string name;        // FunctionName (or the template's logical id)
  std::string logical_id;  // key in the template's Resources; empty for API-created functions
  std::string runtime;     // e.g. "python3.12", "provided.al2023"
  std::string handler;     // e.g. "app.handler"; unused by provided runtimes
  std::filesystem::path code_dir;  // absolute
  int memory_mb = 128;
  int timeout_s = 3;
  std::map<std::string, std::string> environment;  // user's Environment.Variables
  std::optional<int> reserved_concurrency;         // ReservedConcurrentExecutions (function-wide)
  std::string region = "us-east-1";
  std::string account_id = "000000000000";

  // Control-plane facts reported by GetFunctionConfiguration.
  std::string version = "$LATEST";  // "$LATEST" or "1", "2", ...
  std::string description;
  std::string role;
  std::string code_sha256;
  int64_t code_size = 0;
  std::string last_modified;  // "2019-10-29T21:35:35.522+0000"
  std::string revision_id;    // changes on every change; environments started from another
                              // revision are not reused
  std::vector<std::string> architectures = {"x86_64"};
  int ephemeral_storage_mb = 512;
  std::string dead_letter_target_arn;
  std::string tracing_mode = "PassThrough";
  std::vector<std::string> layers;

  // arn:aws:lambda:<region>:<account>:function:<name>
  std::string Arn() const {
    return "arn:aws:lambda:" + region + ":" + account_id + ":function:" + name;
  }
  // The ARN with this config's version (":$LATEST" is left off, as AWS does for $LATEST).
  std::string VersionArn() const { return version == "$LATEST" ? Arn() : Arn() + ":" + version; }
};

}  // namespace ll
