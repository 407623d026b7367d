// HttpServer: the front port's HTTP/1.1 server. One thread per client connection, since a
// handler may block for a whole invocation or an SQS long poll. Every request goes to one
// handler, called once its head is parsed and before its body is read: the handler reads the
// body itself (whole with ReadBody, or streamed through req.body_reader), so an upload of any
// size need not sit in memory, and may answer with a file streamed by sendfile.
#pragma once

#include <exception>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/status.h"
#include "http/http_body.h"
#include "http/http_message.h"

namespace ll {

struct HttpServerOptions {
  // No request body may be longer: a larger Content-Length is answered 413 by the server
  // itself, and a chunked body fails to read past it.
  uint64_t max_body_bytes = 80u << 20;
  size_t max_connections = 1024;
  int idle_timeout_s = 60;  // a keep-alive connection with no request for this long is closed
  // What is left unread of a body when the handler returns is read and dropped, up to this
  // many bytes, to keep the connection; past it the connection closes instead.
  size_t drain_limit_bytes = 1u << 20;
};

class HttpServer {
 public:
  explicit HttpServer(HttpServerOptions options = {});
  ~HttpServer();  // Stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Set these before Start. The handler answers every request (HEAD too: the server then
  // sends the head alone); it runs on the connection's thread, and status -1 becomes 200.
  void SetHandler(HttpHandler handler);
  // Fills in a response with status >= 400 and no body: one the handler left empty, or one
  // the server answers itself (400 for a request it cannot parse, 413 for a head or a
  // declared body over the limits; req is then empty when the head could not be parsed).
  void SetErrorHandler(HttpHandler handler);
  // Answers for a handler that threw.
  void SetExceptionHandler(std::function<void(const HttpRequest&, HttpResponse&, std::exception_ptr)> handler);

  // Binds `host`:`port` (0: any free port) and starts accepting on its own thread.
  Status Start(const std::string& host, int port);
  int port() const { return port_; }
  // Stops accepting, ends idle connections, and joins every thread once its request is done.
  void Stop();

 private:
  struct Connection {
    int fd;
    std::thread thread;
    bool done = false;
  };

  void AcceptLoop();
  void Serve(Connection* conn);
  void Handle(HttpRequest& req, HttpResponse& res);
  static void DrainBeforeClose(int fd);
  // Joins connection threads that have finished. Requires mu_; joins outside it.
  std::vector<std::thread> TakeFinishedLocked();

  const HttpServerOptions options_;
  HttpHandler handler_;
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
