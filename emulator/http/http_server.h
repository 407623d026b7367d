// HttpServer: the front port's HTTP/1.1 server. One thread per client connection, since a
// handler may block for a whole invocation or an SQS long poll; routes are tried in the
// order they were added, each a method and a regular expression over the decoded path.
#pragma once

#include <exception>
#include <functional>
#include <list>
#include <mutex>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "base/status.h"
#include "http/http_message.h"

namespace ll {

// A handler may take the request by non-const reference to move its body out.
using HttpHandler = std::function<void(HttpRequest&, HttpResponse&)>;

struct HttpServerOptions {
  size_t max_body_bytes = 80u << 20;
  size_t max_connections = 1024;
  int idle_timeout_s = 60;  // a keep-alive connection with no request for this long is closed
};

class HttpServer {
 public:
  explicit HttpServer(HttpServerOptions options = {});
  ~HttpServer();  // Stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Routes; add them all before Start.
  void Get(const std::string& pattern, HttpHandler handler);
  void Post(const std::string& pattern, HttpHandler handler);
  void Put(const std::string& pattern, HttpHandler handler);
  void Delete(const std::string& pattern, HttpHandler handler);
  // Runs before routing; returns true when it has answered the request.
  void SetPreRouting(std::function<bool(const HttpRequest&, HttpResponse&)> handler);
  // Fills in a response with status >= 400 and no body (404 when no route matched, 413).
  void SetErrorHandler(HttpHandler handler);
  // Answers for a handler that threw.
  void SetExceptionHandler(std::function<void(const HttpRequest&, HttpResponse&, std::exception_ptr)> handler);

  // Binds `host`:`port` (0: any free port) and starts accepting on its own thread.
  Status Start(const std::string& host, int port);
  int port() const { return port_; }
  // Stops accepting, ends idle connections, and joins every thread once its request is done.
  void Stop();

 private:
  struct Route {
    std::string method;
    std::regex pattern;
    HttpHandler handler;
  };
  struct Connection {
    int fd;
    std::thread thread;
    bool done = false;
  };

  void AcceptLoop();
  void Serve(Connection* conn);
  void Dispatch(HttpRequest& req, HttpResponse& res);
  static void DrainBeforeClose(int fd);
  // Joins connection threads that have finished. Requires mu_; joins outside it.
  std::vector<std::thread> TakeFinishedLocked();

  const HttpServerOptions options_;
  std::vector<Route> routes_;
  std::function<bool(const HttpRequest&, HttpResponse&)> pre_routing_;
  HttpHandler error_handler_;
  std::function<void(const HttpRequest&, HttpResponse&, std::exception_ptr)> exception_handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::thread acceptor_;

  std::mutex mu_;
  // Guarded by mu_.
  bool stopping_ = false;
  std::list<Connection> connections_;
};

}  // namespace ll
