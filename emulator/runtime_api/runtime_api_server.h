// The Lambda Runtime API (2018-06-01) for one execution environment, on its own
// 127.0.0.1 port, since AWS_LAMBDA_RUNTIME_API=host:port is all a runtime knows.
// One loop thread reads every connection; a runtime's GET /next is handed to the backend,
// which answers it from the invoking thread, so an event costs no thread handoff.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "http/http_message.h"
#include "runtime_api/runtime_connection.h"

namespace ll {

struct NextEvent {
  std::string_view request_id;
  std::string_view payload;
  int64_t deadline_ms = 0;
  std::string_view invoked_function_arn;
  std::string_view trace_id;
  std::string_view client_context;    // decoded JSON, empty when none
  std::string_view cognito_identity;  // JSON, empty when none
};

// What the server answers the runtime: a status and a JSON body.
struct RuntimeReply {
  int status = 202;
  std::string body = "{\"status\":\"OK\"}";
};

// Implemented by the execution environment. Called from the loop thread, or from the thread
// that holds a connection the backend took. Must not block.
class RuntimeApiBackend {
 public:
  virtual ~RuntimeApiBackend() = default;
  // A runtime asks for its next event on `conn`. A reply refuses it now; nullopt means the
  // backend keeps `conn`, answers it with SendEvent, then gives it back with Resume.
  virtual std::optional<RuntimeReply> OnNext(std::shared_ptr<RuntimeConnection> conn) = 0;
  // `from` is the connection the request came on.
  virtual RuntimeReply PostResponse(const RuntimeConnection* from, const std::string& request_id,
                                    std::string body) = 0;
  virtual RuntimeReply PostError(const RuntimeConnection* from, const std::string& request_id,
                                 const std::string& error_type, std::string body) = 0;
  virtual RuntimeReply PostInitError(const std::string& error_type, std::string body) = 0;
};

class RuntimeApiServer {
 public:
  explicit RuntimeApiServer(RuntimeApiBackend* backend);
  ~RuntimeApiServer();  // Stop()
  RuntimeApiServer(const RuntimeApiServer&) = delete;
  RuntimeApiServer& operator=(const RuntimeApiServer&) = delete;

  // Binds 127.0.0.1 on a free port and starts the loop. Returns false when it cannot bind.
  bool Start();
  // "127.0.0.1:<port>"
  std::string address() const;
  // Stops the loop and closes every connection it holds. Connections the backend holds
  // close when it lets go of them.
  void Stop();

  enum class Served { kContinue, kParked, kClose };
  // Answers one request read from `conn`. Any thread that holds `conn` may call it; the
  // reply waits for room in the socket until `deadline`.
  Served Serve(const std::shared_ptr<RuntimeConnection>& conn, HttpRequest& req,
               std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max());
  // Gives a connection the backend kept back to the loop.
  void Resume(std::shared_ptr<RuntimeConnection> conn);
  // Answers a kept GET /next with an event. False when the runtime is gone or did not take
  // the event before `deadline`.
  static bool SendEvent(RuntimeConnection& conn, const NextEvent& ev,
                        std::chrono::steady_clock::time_point deadline);

 private:
  void Loop();
  void Accept();
  // Reads and serves requests until the connection would block, is kept, or is closed.
  void Drive(const std::shared_ptr<RuntimeConnection>& conn);
  void Rearm(const RuntimeConnection& conn);
  void Close(const std::shared_ptr<RuntimeConnection>& conn);

  RuntimeApiBackend* const backend_;
  int listen_fd_ = -1;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  int port_ = 0;
  bool accept_paused_ = false;  // out of descriptors: the listener is out of epoll until one closes
  std::thread thread_;
  // Owned by the loop thread.
  std::unordered_map<int, std::shared_ptr<RuntimeConnection>> conns_;

  std::mutex mu_;
  // Guarded by mu_.
  bool stopping_ = false;
  std::vector<std::shared_ptr<RuntimeConnection>> resumed_;  // with buffered bytes, or finished
};

}  // namespace ll
