// FakeRuntime (tests only): a stand-in for a function's runtime client. One TCP connection to
// a Runtime API server on 127.0.0.1, blocking calls, one request at a time. Tests open
// several for a runtime that uses several connections.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ll {

class FakeRuntime {
 public:
  // `address` is "127.0.0.1:<port>", as in AWS_LAMBDA_RUNTIME_API. Connects at once.
  explicit FakeRuntime(const std::string& address);
  ~FakeRuntime();  // Close()
  FakeRuntime(const FakeRuntime&) = delete;
  FakeRuntime& operator=(const FakeRuntime&) = delete;

  struct Reply {
    int status = 0;  // 0: the connection closed (or failed) before an answer
    std::map<std::string, std::string> headers;  // names lower-cased
    std::string body;
    std::string Header(const std::string& lower_name) const;
  };
  // Sends one request and reads its answer; a "100 Continue" is skipped.
  Reply Call(std::string_view method, std::string_view path, std::string_view body = {},
             const std::vector<std::pair<std::string, std::string>>& headers = {});
  // Sends raw bytes, e.g. a malformed request.
  bool SendRaw(std::string_view bytes);
  // Reads one answer (e.g. to a request sent with SendRaw).
  Reply Read();
  // True when the server has closed the connection (reads end of file).
  bool PeerClosed();

  // GET /next. The event's id is reply.Header("lambda-runtime-aws-request-id").
  Reply Next();
  Reply Respond(const std::string& request_id, std::string_view body);
  Reply Error(const std::string& request_id, const std::string& error_type, std::string_view body);
  Reply InitError(const std::string& error_type, std::string_view body);
  void Close();

 private:
  int fd_ = -1;
  std::string in_;  // read, not yet parsed
};

}  // namespace ll
