// A minimal custom runtime (`provided`) in C++: answers every event with the event itself.
// Used as a function's bootstrap by the benchmarks and integration tests.
#include <httplib.h>

#include <cstdio>
#include <cstdlib>
#include <string>

int main() {
  const char* api = std::getenv("AWS_LAMBDA_RUNTIME_API");
  if (!api) {
    std::fprintf(stderr, "AWS_LAMBDA_RUNTIME_API is not set\n");
    return 1;
  }
  std::string address(api);
  size_t colon = address.rfind(':');
  httplib::Client client(address.substr(0, colon), std::stoi(address.substr(colon + 1)));
  client.set_tcp_nodelay(true);
  client.set_keep_alive(true);
  client.set_read_timeout(24 * 3600, 0);
  while (true) {
    auto next = client.Get("/2018-06-01/runtime/invocation/next");
    if (!next || next->status != 200) return 2;
    const std::string id = next->get_header_value("Lambda-Runtime-Aws-Request-Id");
    auto done = client.Post("/2018-06-01/runtime/invocation/" + id + "/response", next->body,
                            "application/json");
    if (!done) return 3;
  }
}
