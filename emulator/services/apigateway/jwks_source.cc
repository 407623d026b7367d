#include "services/apigateway/jwks_source.h"

#include <httplib.h>

#include <fstream>
#include <sstream>

#include "base/json_parse.h"
#include "base/strings.h"
#include "http/http_endpoint.h"

namespace ll::apigw {
namespace {

constexpr size_t kMaxDocumentBytes = 1u << 20;

// The body of a 200 answer to GET `url`.
Result<std::string> Fetch(const std::string& url) {
  const std::optional<HttpEndpoint> endpoint = ParseHttpEndpoint(url);
  if (!endpoint) return Status::Error("InvalidJwks", url + " is not an http(s) URL");
  try {
    // Host and port given apart: httplib's URL constructor runs a regex over the whole URL.
    std::unique_ptr<httplib::ClientImpl> client;
    if (endpoint->https) {
      client = std::make_unique<httplib::SSLClient>(endpoint->host, endpoint->port);
    } else {
      client = std::make_unique<httplib::ClientImpl>(endpoint->host, endpoint->port);
    }
    client->set_connection_timeout(std::chrono::seconds(5));
    client->set_read_timeout(std::chrono::seconds(10));
    std::string body;
    httplib::Result res = client->Get(endpoint->path, [&](const char* data, size_t size) {
      body.append(data, size);
      return body.size() <= kMaxDocumentBytes;
    });
    if (!res) return Status::Error("InvalidJwks", "no answer from " + url + ": " + httplib::to_string(res.error()));
    if (res->status != 200) {
      return Status::Error("InvalidJwks", url + " answered " + std::to_string(res->status));
    }
    return body;
  } catch (const std::exception& e) {
    return Status::Error("InvalidJwks", "cannot fetch " + url + ": " + e.what());
  }
}

}  // namespace

Result<JwksKeys> LoadJwks(const std::string& source) {
  std::string text;
  if (StartsWith(source, "http://") || StartsWith(source, "https://")) {
    auto fetched = Fetch(source);
    if (!fetched.ok()) return fetched.status();
    text = std::move(*fetched);
  } else {
    std::ifstream in(source, std::ios::binary);
    if (!in) return Status::Error("InvalidJwks", "cannot read " + source);
    std::ostringstream buf;
    buf << in.rdbuf();
    text = buf.str();
  }
  auto keys = JwksKeys::Parse(text);
  if (!keys.ok()) return Status::Error("InvalidJwks", source + ": " + keys.status().message());
  return keys;
}

Result<JwksKeys> DiscoverJwks(std::string_view issuer) {
  std::string base(issuer);
  while (!base.empty() && base.back() == '/') base.pop_back();
  const std::string discovery = base + "/.well-known/openid-configuration";
  auto document = Fetch(discovery);
  if (!document.ok()) return document.status();
  rapidjson::Document doc;
  if (!ParseJson(doc, *document) || !doc.IsObject() || !doc.HasMember("jwks_uri") || !doc["jwks_uri"].IsString()) {
    return Status::Error("InvalidJwks", discovery + " has no jwks_uri");
  }
  return LoadJwks(doc["jwks_uri"].GetString());
}

}  // namespace ll::apigw
