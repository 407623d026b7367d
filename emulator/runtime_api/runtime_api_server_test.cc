// The Runtime API server on its own: routing, request ids, headers and framing, with a
// backend that records what reached it. The lifecycle's answers are tested with the
// Environment (sandbox/environment_test.cc).
#include "runtime_api/runtime_api_server.h"

#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "runtime_api/fake_runtime.h"

using namespace ll;

namespace {

class RecordingBackend : public RuntimeApiBackend {
 public:
  std::optional<RuntimeReply> OnNext(std::shared_ptr<RuntimeConnection> conn) override {
    std::lock_guard<std::mutex> lock(mu);
    calls.push_back("next");
    if (refuse_next) return RuntimeReply{403, R"({"refused":true})"};
    kept = std::move(conn);
    changed.notify_all();
    return std::nullopt;
  }
  RuntimeReply PostResponse(const RuntimeConnection*, const std::string& request_id,
                            std::string body) override {
    std::lock_guard<std::mutex> lock(mu);
    calls.push_back("response " + request_id + " " + body);
    return {};
  }
  RuntimeReply PostError(const RuntimeConnection*, const std::string& request_id,
                         const std::string& error_type, std::string body) override {
    std::lock_guard<std::mutex> lock(mu);
    calls.push_back("error " + request_id + " " + error_type + " " + body);
    return {};
  }
  RuntimeReply PostInitError(const std::string& error_type, std::string body) override {
    std::lock_guard<std::mutex> lock(mu);
    calls.push_back("init-error " + error_type + " " + body);
    return {409, R"({"custom":"reply"})"};
  }

  std::shared_ptr<RuntimeConnection> AwaitKept() {
    std::unique_lock<std::mutex> lock(mu);
    changed.wait(lock, [&] { return kept != nullptr; });
    return std::move(kept);
  }
  std::vector<std::string> Calls() {
    std::lock_guard<std::mutex> lock(mu);
    return calls;
  }

  std::mutex mu;
  std::condition_variable changed;
  std::vector<std::string> calls;
  bool refuse_next = false;
  std::shared_ptr<RuntimeConnection> kept;
};

struct ServerRig {
  ServerRig() : server(&backend) { REQUIRE(server.Start()); }
  RecordingBackend backend;
  RuntimeApiServer server;
};

}  // namespace

TEST_CASE("runtime api: the address is a loopback port", "[runtime_api]") {
  ServerRig rig;
  CHECK(rig.server.address().rfind("127.0.0.1:", 0) == 0);
  CHECK(rig.server.address() != "127.0.0.1:0");
}

TEST_CASE("runtime api: ping, unknown paths and methods", "[runtime_api]") {
  ServerRig rig;
  FakeRuntime rt(rig.server.address());
  FakeRuntime::Reply ping = rt.Call("GET", "/2018-06-01/ping");
  CHECK(ping.status == 200);
  CHECK(ping.body == "pong");
  FakeRuntime::Reply unknown = rt.Call("GET", "/2018-06-01/nowhere");
  CHECK(unknown.status == 404);
  CHECK(unknown.body.find("NotFound") != std::string::npos);
  CHECK(rt.Call("POST", "/2018-06-01/runtime/invocation/next").status == 404);
  CHECK(rt.Call("GET", "/2018-06-01/runtime/invocation/abc/response").status == 404);
  // An id with a slash in it is no id.
  CHECK(rt.Call("POST", "/2018-06-01/runtime/invocation/a/b/response", "{}").status == 404);
  CHECK(rt.Call("POST", "/2018-06-01/runtime/invocation//response", "{}").status == 404);
  CHECK(rig.backend.Calls().empty());
}

TEST_CASE("runtime api: response, error and init error reach the backend", "[runtime_api]") {
  ServerRig rig;
  FakeRuntime rt(rig.server.address());
  CHECK(rt.Respond("id-1", R"({"a":1})").status == 202);
  FakeRuntime::Reply error = rt.Error("id-2", "Custom.Error", R"({"e":2})");
  CHECK(error.status == 202);
  CHECK(error.body == R"({"status":"OK"})");
  FakeRuntime::Reply init = rt.InitError("Runtime.Init", "{}");
  CHECK(init.status == 409);  // whatever the backend answers
  CHECK(init.body == R"({"custom":"reply"})");
  CHECK(rig.backend.Calls() == std::vector<std::string>{
                                   R"(response id-1 {"a":1})",
                                   R"(error id-2 Custom.Error {"e":2})",
                                   "init-error Runtime.Init {}",
                               });
}

TEST_CASE("runtime api: a refused GET /next is answered at once", "[runtime_api]") {
  ServerRig rig;
  rig.backend.refuse_next = true;
  FakeRuntime rt(rig.server.address());
  FakeRuntime::Reply reply = rt.Next();
  CHECK(reply.status == 403);
  CHECK(reply.body == R"({"refused":true})");
}

TEST_CASE("runtime api: a kept GET /next is answered with the event, then served again",
          "[runtime_api]") {
  ServerRig rig;
  FakeRuntime rt(rig.server.address());
  REQUIRE(rt.SendRaw("GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::shared_ptr<RuntimeConnection> conn = rig.backend.AwaitKept();
  NextEvent ev;
  ev.request_id = "id-9";
  ev.payload = R"({"hello":"world"})";
  ev.deadline_ms = 1234;
  ev.invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:F";
  ev.trace_id = "Root=1";
  ev.client_context = "{\"bad\":\"line\r\nbreak\"}";  // a caller's value never ends the header
  REQUIRE(RuntimeApiServer::SendEvent(*conn, ev, std::chrono::steady_clock::now() + std::chrono::seconds(5)));
  FakeRuntime::Reply got = rt.Read();
  CHECK(got.status == 200);
  CHECK(got.body == R"({"hello":"world"})");
  CHECK(got.Header("lambda-runtime-aws-request-id") == "id-9");
  CHECK(got.Header("lambda-runtime-deadline-ms") == "1234");
  CHECK(got.Header("lambda-runtime-invoked-function-arn") == "arn:aws:lambda:us-east-1:000000000000:function:F");
  CHECK(got.Header("lambda-runtime-trace-id") == "Root=1");
  CHECK(got.Header("lambda-runtime-client-context") == "{\"bad\":\"line  break\"}");
  CHECK(got.Header("lambda-runtime-cognito-identity").empty());
  rig.server.Resume(std::move(conn));
  CHECK(rt.Respond("id-9", "{}").status == 202);  // the loop reads the connection again
}

TEST_CASE("runtime api: a request that is not HTTP gets 400 and a closed connection",
          "[runtime_api]") {
  ServerRig rig;
  FakeRuntime rt(rig.server.address());
  REQUIRE(rt.SendRaw("THIS IS NOT HTTP\r\n\r\n"));
  CHECK(rt.Read().status == 400);
  CHECK(rt.PeerClosed());
}

TEST_CASE("runtime api: 100-continue and chunked bodies", "[runtime_api]") {
  ServerRig rig;
  FakeRuntime rt(rig.server.address());
  REQUIRE(rt.SendRaw("POST /2018-06-01/runtime/invocation/id-3/response HTTP/1.1\r\nHost: x\r\n"
                     "Transfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n"));
  REQUIRE(rt.SendRaw("3\r\n{\"a\r\n4\r\n\":1}\r\n0\r\n\r\n"));
  CHECK(rt.Read().status == 202);  // after the 100 Continue, which Read skips
  CHECK(rig.backend.Calls() == std::vector<std::string>{R"(response id-3 {"a":1})"});
}

TEST_CASE("runtime api: Connection: close is honoured", "[runtime_api]") {
  ServerRig rig;
  FakeRuntime rt(rig.server.address());
  CHECK(rt.Call("GET", "/2018-06-01/ping", "", {{"Connection", "close"}}).status == 200);
  CHECK(rt.PeerClosed());
}

TEST_CASE("runtime api: Stop closes the connections it holds", "[runtime_api]") {
  ServerRig rig;
  FakeRuntime rt(rig.server.address());
  CHECK(rt.Call("GET", "/2018-06-01/ping").status == 200);
  rig.server.Stop();
  CHECK(rt.PeerClosed());
}
