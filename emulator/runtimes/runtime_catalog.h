// RuntimeCatalog: which Lambda runtimes lambda-local runs, and how to launch each one.
// provided* run the function's own bootstrap; python3.x and nodejs*.x run a runtime client
// that ships inside the lambda-local binary, under the host's python3 / node.
#pragma once

#include <filesystem>
#include <set>
#include <string>

#include "base/status.h"
#include "model/function_config.h"
#include "sandbox/launch_spec.h"

namespace ll {

class RuntimeCatalog {
 public:
  static bool IsSupported(const std::string& runtime);
  static std::string SupportedList();

  // Writes the bundled runtime clients into a cache folder (once per content) and resolves the
  // interpreters the given runtimes need. Spawns helper processes: call before the Reaper exists.
  static Result<RuntimeCatalog> Create(const std::set<std::string>& runtimes_in_use);

  // Cheap: everything was resolved by Create.
  Result<LaunchSpec> Resolve(const FunctionConfig& fn) const;

 private:
  std::filesystem::path support_dir_;
  std::string python_;  // absolute interpreter paths, empty when not needed / not found
  std::string node_;
};

}  // namespace ll
