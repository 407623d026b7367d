// FunctionOutput: what one runtime process prints (its stdout+stderr pipe), cut into lines
// for the log sink, and the log of the invocation in progress (START through REPORT) kept
// for LogType: Tail. Owns the thread that reads the pipe while no invocation is reading it.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace ll {

// Receives every log line of every environment, e.g. to print it. One call may carry
// several lines, separated by '\n'.
using LogSink = std::function<void(const std::string& function_name, std::string_view line)>;

// Thread-safe.
class FunctionOutput {
 public:
  // Takes `fd` (non-blocking); reads nothing until Start.
  FunctionOutput(std::string function_name, int fd, LogSink sink);
  ~FunctionOutput();  // Stop(), then closes the pipe
  FunctionOutput(const FunctionOutput&) = delete;
  FunctionOutput& operator=(const FunctionOutput&) = delete;

  // Starts the reader thread.
  void Start();
  // Stops and joins the reader thread, emitting what the pipe still holds. Idempotent.
  void Stop();

  // Opens the log of invocation `request_id` with its START line, unless it is open already.
  // The first invocation's log first takes what the process printed during init, as in AWS.
  void BeginInvocation(const std::string& request_id, const std::string& version);
  // Emits what the pipe holds now; with `flush_partial`, a last line without its newline too.
  void Drain(bool flush_partial);
  // Emits a line of the platform's own (one call may carry several lines).
  void Emit(std::string_view line);
  // Closes the invocation's log and returns it.
  std::string EndInvocation();

 private:
  void ReadLoop();
  // Reads whatever the pipe holds now; true at end of file. Requires mu_.
  bool ReadAvailableLocked();
  void FlushPartialLocked();
  void EmitLocked(std::string_view line);

  // Const after construction.
  const std::string function_name_;
  const int fd_;
  const LogSink sink_;
  int wake_fd_ = -1;  // eventfd that stops the reader
  std::thread reader_;  // started by Start, joined by Stop

  std::mutex mu_;
  // Guarded by mu_.
  std::string partial_line_;
  bool capturing_ = false;
  bool captured_once_ = false;  // the first invocation's START has been written
  std::string capture_id_;
  std::string captured_;
};

}  // namespace ll
