// The runtime clients bundled with lambda-local, compiled into the binary from
// emulator/runtimes/python/bootstrap.py and emulator/runtimes/nodejs/bootstrap.mjs.
#pragma once

#include <string_view>

namespace ll {

extern const std::string_view kPythonBootstrap;
extern const std::string_view kNodeBootstrap;

}  // namespace ll
