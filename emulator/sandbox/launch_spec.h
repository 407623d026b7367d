// LaunchSpec: how to start one function's runtime process (executable, argv, runtime env vars).
#pragma once

#include <map>
#include <string>
#include <vector>

namespace ll {

struct LaunchSpec {
  std::string executable;                   // absolute path
  std::vector<std::string> argv;            // argv[0] included
  std::map<std::string, std::string> env;   // runtime-specific reserved variables
  std::string runtime_dir;                  // LAMBDA_RUNTIME_DIR
};

}  // namespace ll
