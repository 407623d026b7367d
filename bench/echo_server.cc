// The floor: a bare cpp-httplib server that answers every POST with its body, configured as
// lambda-local's front server is (TCP_NODELAY, keep-alive). Prints its port, then serves.
#include <httplib.h>

#include <cstdio>

int main() {
  httplib::Server server;
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(1 << 30);
  server.Post(".*", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content(req.body, "application/json");
  });
  int port = server.bind_to_any_port("127.0.0.1");
  std::printf("%d\n", port);
  std::fflush(stdout);
  server.listen_after_bind();
}
