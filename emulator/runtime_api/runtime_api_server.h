// The Lambda Runtime API (2018-06-01) for one execution environment, on its own
// 127.0.0.1 port, since AWS_LAMBDA_RUNTIME_API=host:port is all a runtime knows.
// One small handler per endpoint; all state lives behind the Backend.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <thread>

namespace httplib {
class Server;
}

namespace ll {

struct NextEvent {
  std::string request_id;
  std::string payload;
  int64_t deadline_ms = 0;
  std::string invoked_function_arn;
  std::string trace_id;
  std::string client_context;    // decoded JSON, empty when none
  std::string cognito_identity;  // JSON, empty when none
};

// What the server answers the runtime: a status and a JSON body.
struct RuntimeReply {
  int status = 202;
  std::string body = "{\"status\":\"OK\"}";
};

// Implemented by the execution environment. Called from the server's worker threads.
class RuntimeApiBackend {
 public:
  virtual ~RuntimeApiBackend() = default;
  // Blocks until an invocation is ready. nullopt: the environment is going away.
  // A reply with a status instead of an event: the call is refused (e.g. 403).
  virtual std::optional<NextEvent> WaitNext(RuntimeReply* refusal) = 0;
  virtual RuntimeReply PostResponse(const std::string& request_id, std::string body) = 0;
  virtual RuntimeReply PostError(const std::string& request_id, const std::string& error_type,
                                 std::string body) = 0;
  virtual RuntimeReply PostInitError(const std::string& error_type, std::string body) = 0;
};

class RuntimeApiServer {
 public:
  explicit RuntimeApiServer(RuntimeApiBackend* backend);
  ~RuntimeApiServer();  // Stop()
  // Binds 127.0.0.1 on a free port and starts serving. Returns false when it cannot bind.
  bool Start();
  // "127.0.0.1:<port>"
  std::string address() const;
  // Closes the listener and joins its threads. Blocked WaitNext calls must be released first.
  void Stop();

 private:
  RuntimeApiBackend* backend_;
  std::unique_ptr<httplib::Server> server_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace ll
