// The platform's own log lines (START, END, REPORT, timeout, exit), formatted as AWS writes them.
#pragma once

#include <optional>
#include <string>

namespace ll {

struct ReportFields {
  std::string request_id;
  double duration_ms = 0;
  int memory_size_mb = 0;
  int max_memory_used_mb = 0;
  std::optional<double> init_duration_ms;  // cold starts only
  std::string status;                      // "", "timeout", "error"
  std::string error_type;                  // with status "error"
};

std::string StartLine(const std::string& request_id, const std::string& version);
std::string EndLine(const std::string& request_id);
// Tab-separated, trailing tab, Init Duration last, as AWS prints it.
std::string ReportLine(const ReportFields& r);
// "<ISO ts> <id> Task timed out after 3.00 seconds"
std::string TimeoutLogLine(const std::string& request_id, int timeout_s);
// "RequestId: <id> Error: Task timed out after 3.00 seconds"
std::string TimeoutMessage(const std::string& request_id, int timeout_s);
// "RequestId: <id> Error: Runtime exited with error: exit status 1" / "signal: killed"
std::string ExitMessage(const std::string& request_id, const std::string& exit_description);
// {"errorMessage": ..., "errorType": ...} as the platform reports its own errors.
std::string PlatformErrorJson(const std::string& error_type, const std::string& message);

}  // namespace ll
