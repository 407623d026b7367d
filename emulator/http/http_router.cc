#include "http/http_router.h"

#include <utility>

namespace ll {

void HttpRouter::Get(const std::string& pattern, HttpHandler handler) { Add("GET", pattern, std::move(handler)); }
void HttpRouter::Post(const std::string& pattern, HttpHandler handler) { Add("POST", pattern, std::move(handler)); }
void HttpRouter::Put(const std::string& pattern, HttpHandler handler) { Add("PUT", pattern, std::move(handler)); }
void HttpRouter::Delete(const std::string& pattern, HttpHandler handler) {
  Add("DELETE", pattern, std::move(handler));
}
void HttpRouter::Head(const std::string& pattern, HttpHandler handler) { Add("HEAD", pattern, std::move(handler)); }

void HttpRouter::Add(std::string method, const std::string& pattern, HttpHandler handler) {
  routes_.push_back({std::move(method), std::regex(pattern), std::move(handler)});
}

bool HttpRouter::Dispatch(HttpRequest& req, HttpResponse& res) const {
  for (const Route& route : routes_) {
    if (route.method == req.method && std::regex_match(req.path, req.matches, route.pattern)) {
      route.handler(req, res);
      return true;
    }
  }
  return false;
}

}  // namespace ll
