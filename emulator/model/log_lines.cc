#include "model/log_lines.h"

#include <chrono>
#include <cmath>

#include <fmt/format.h>

#include "base/strings.h"

namespace ll {

std::string StartLine(const std::string& request_id, const std::string& version) {
  return fmt::format("START RequestId: {} Version: {}", request_id, version);
}

std::string EndLine(const std::string& request_id) {
  return fmt::format("END RequestId: {}", request_id);
}

std::string ReportLine(const ReportFields& r) {
  std::string line = fmt::format(
      "REPORT RequestId: {}\tDuration: {:.2f} ms\tBilled Duration: {} ms\tMemory Size: {} MB\t"
      "Max Memory Used: {} MB\t",
      r.request_id, r.duration_ms, int64_t(std::ceil(r.duration_ms)), r.memory_size_mb,
      r.max_memory_used_mb);
  if (r.init_duration_ms) line += fmt::format("Init Duration: {:.2f} ms\t", *r.init_duration_ms);
  if (!r.status.empty()) {
    line += fmt::format("Status: {}\t", r.status);
    if (!r.error_type.empty()) line += fmt::format("Error Type: {}\t", r.error_type);
  }
  return line;
}

std::string TimeoutLogLine(const std::string& request_id, int timeout_s) {
  return fmt::format("{} {} Task timed out after {:.2f} seconds",
                     IsoTimestampUtc(std::chrono::system_clock::now()), request_id,
                     double(timeout_s));
}

std::string TimeoutMessage(const std::string& request_id, int timeout_s) {
  return fmt::format("RequestId: {} Error: Task timed out after {:.2f} seconds", request_id,
                     double(timeout_s));
}

std::string ExitMessage(const std::string& request_id, const std::string& exit_description) {
  return fmt::format("RequestId: {} Error: Runtime exited with error: {}", request_id,
                     exit_description);
}

std::string PlatformErrorJson(const std::string& error_type, const std::string& message) {
  return "{\"errorMessage\":" + JsonQuote(message) + ",\"errorType\":" + JsonQuote(error_type) +
         "}";
}

}  // namespace ll
