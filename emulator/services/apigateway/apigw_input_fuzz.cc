// libFuzzer target for what API Gateway reads: a function's result (payload 1.0 and 2.0
// forms), a Lambda authorizer's answer (policies and simple responses), and a client's method,
// path, query, headers and body routed through a fixed API and turned into both proxy events and
// both authorizer events, and a bearer token and a key set as a JWT authorizer reads them.
// The first byte chooses which; nothing may crash, and every event written must be well-formed
// JSON.
#include <rapidjson/document.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "base/json_parse.h"
#include "services/apigateway/authorizer_answer.h"
#include "services/apigateway/jwt.h"
#include "services/apigateway/proxy_events.h"
#include "services/apigateway/route_matcher.h"

namespace {

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "apigw_input_fuzz: %s\n", what);
    std::abort();
  }
}

ll::apigw::Api MakeApi(ll::apigw::ApiKind kind) {
  ll::apigw::Api api;
  api.id = "abcdefghij";
  api.kind = kind;
  api.stage = kind == ll::apigw::ApiKind::kRest ? "Prod" : "$default";
  api.stage_variables = {{"v", "1"}};
  api.binary_media_types = {"image/*"};
  auto route = [&](const char* method, const char* path, const char* payload_format) {
    ll::apigw::Route r;
    r.method = method;
    r.path = path;
    r.function = "fn";
    r.payload_format = payload_format;
    r.source = "fuzz";
    api.routes.push_back(std::move(r));
  };
  for (const char* path : {"/", "/items", "/items/{id}", "/items/{id}/parts/{part}", "/files/{proxy+}"}) {
    route("ANY", path, kind == ll::apigw::ApiKind::kRest ? "1.0" : "2.0");
  }
  route("GET", "/items/special", "1.0");
  if (kind == ll::apigw::ApiKind::kHttp) route("ANY", "$default", "2.0");
  return api;
}

// "METHOD\nPATH\nQUERY\nName: value\n...\n\nBODY"
ll::apigw::GatewayRequest RequestOf(std::string_view in) {
  ll::apigw::GatewayRequest r;
  auto line = [&]() {
    size_t end = in.find('\n');
    std::string_view l = in.substr(0, end);
    in = end == std::string_view::npos ? std::string_view() : in.substr(end + 1);
    return l;
  };
  r.method = std::string(line());
  r.path = std::string(line());
  r.raw_query = std::string(line());
  for (std::string_view h = line(); !h.empty(); h = line()) {
    size_t colon = h.find(':');
    r.headers.emplace_back(std::string(h.substr(0, colon)),
                           colon == std::string_view::npos ? "" : std::string(h.substr(colon + 1)));
  }
  r.body = std::string(in);
  r.request_id = "00000000-0000-4000-8000-000000000000";
  r.domain_name = "localhost";
  r.time_epoch_ms = 1700000000000;
  return r;
}

bool IsJson(const std::string& text) {
  rapidjson::Document doc;
  return ll::ParseJson(doc, text) && doc.IsObject();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  static const ll::apigw::Api rest = MakeApi(ll::apigw::ApiKind::kRest);
  static const ll::apigw::Api http = MakeApi(ll::apigw::ApiKind::kHttp);
  switch (data[0] % 5) {
    case 0:
      if (auto r = ll::apigw::ParseProxyResultV1(in)) Check(r->status >= 100 && r->status <= 599, "a status out of range");
      break;
    case 1:
      if (auto r = ll::apigw::ParseProxyResultV2(in)) Check(r->status >= 100 && r->status <= 599, "a status out of range");
      break;
    case 2: {
      const ll::apigw::GatewayRequest request = RequestOf(in);
      for (const ll::apigw::Api* api : {&rest, &http}) {
        auto match = ll::apigw::MatchRoute(*api, request.method, request.path);
        if (!match) continue;
        (void)ll::apigw::BodyIsBinary(*api, request);
        Check(IsJson(ll::apigw::ProxyEventV1(*api, *match, request, "000000000000")), "a 1.0 event is not JSON");
        Check(IsJson(ll::apigw::ProxyEventV2(*api, *match, request, "000000000000")), "a 2.0 event is not JSON");
        const std::vector<std::string> identity = {request.path, request.raw_query};
        Check(IsJson(ll::apigw::RequestAuthorizerEventV1(*api, *match, request, "000000000000", request.path, identity)),
              "a 1.0 authorizer event is not JSON");
        Check(IsJson(ll::apigw::RequestAuthorizerEventV2(*api, *match, request, "000000000000", request.path, identity)),
              "a 2.0 authorizer event is not JSON");
      }
      break;
    }
    case 3:
      for (auto format : {ll::apigw::AnswerFormat::kRestPolicy, ll::apigw::AnswerFormat::kHttpPolicy,
                          ll::apigw::AnswerFormat::kHttpSimple}) {
        auto answer = ll::apigw::ParseAuthorizerAnswer(in, format);
        if (!answer) continue;
        (void)ll::apigw::EvaluatePolicy(answer->statements, "arn:aws:execute-api:us-east-1:0:abc/Prod/GET/items");
        Check(IsJson(ll::apigw::RestAuthorizerJson(*answer, 1)), "a REST authorizer context is not JSON");
        Check(IsJson(ll::apigw::HttpAuthorizerJson(*answer)), "an HTTP authorizer context is not JSON");
      }
      break;
    case 4: {
      // "token\nJWKS": the token checked without keys (every claim rule), then against the set.
      const size_t newline = in.find('\n');
      const std::string_view token = in.substr(0, newline);
      const ll::apigw::JwtRules rules{"https://issuer.example", {"app"}};
      (void)ll::apigw::CheckJwt(token, rules, nullptr, 1800000000);
      if (newline != std::string_view::npos) {
        auto keys = ll::apigw::JwksKeys::Parse(in.substr(newline + 1));
        if (keys.ok()) (void)ll::apigw::CheckJwt(token, rules, &*keys, 1800000000);
      }
      break;
    }
  }
  return 0;
}
