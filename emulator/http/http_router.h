// HttpRouter: routes by method and a regular expression over the decoded path, tried in the
// order they were added. A service keeps its routes in one and falls through when none
// matches.
#pragma once

#include <regex>
#include <string>
#include <vector>

#include "http/http_message.h"

namespace ll {

class HttpRouter {
 public:
  // Add every route before the first Dispatch; Dispatch is then safe from any thread.
  void Get(const std::string& pattern, HttpHandler handler);
  void Post(const std::string& pattern, HttpHandler handler);
  void Put(const std::string& pattern, HttpHandler handler);
  void Delete(const std::string& pattern, HttpHandler handler);
  void Head(const std::string& pattern, HttpHandler handler);
  void Add(std::string method, const std::string& pattern, HttpHandler handler);

  // Runs the first route whose method is req.method and whose pattern matches all of
  // req.path, with req.matches set to its groups. False when none matched (nothing ran).
  bool Dispatch(HttpRequest& req, HttpResponse& res) const;

 private:
  struct Route {
    std::string method;
    std::regex pattern;
    HttpHandler handler;
  };
  std::vector<Route> routes_;
};

}  // namespace ll
