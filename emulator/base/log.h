// The emulator's own console output: one mutex so lines from many threads never interleave.
#pragma once

#include <string_view>

namespace ll {

enum class LogStream { kOut, kErr };

// Writes `line` plus a newline atomically with respect to other WriteLine calls.
void WriteLine(LogStream stream, std::string_view line);

}  // namespace ll
