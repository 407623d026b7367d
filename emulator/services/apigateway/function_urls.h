// FunctionUrls: Lambda function URLs, a function's own HTTP endpoint. A request reaches a URL
// by its host ("<url-id>.lambda-url.<region>.localhost:<port>") or, for clients that cannot
// choose the Host, by the path "/_lambda-url/<url-id>/<path>" on the front port. It answers
// as Lambda does: AWS_IAM URLs refuse unsigned requests (403), CORS as configured (as HTTP
// APIs do), payload format 2.0 to the function and its answer read back the same way, 502 for a
// function error or a malformed answer, 429 when throttled.
//
// Thread-safety: immutable after construction; Serve may run on any number of threads.
#pragma once

#include <string>
#include <string_view>

#include "http/http_message.h"
#include "invoke/invoke_sink.h"
#include "services/apigateway/api.h"

namespace ll::apigw {

class FunctionUrls {
 public:
  // `functions` must outlive this.
  FunctionUrls(InvokeSink* functions, std::string account_id, std::string region);

  void Serve(HttpRequest& req, HttpResponse& res) const;

  // The URL id a Host names ("<id>.lambda-url.us-east-1.localhost:4566"), or "".
  static std::string UrlIdOfHost(std::string_view host);

 private:
  // Invokes the URL's function with the request as a payload 2.0 event and reads its answer.
  GatewayResponse Invoke(const Api& api, const FunctionUrlTarget& target,
                         const GatewayRequest& request, bool iam) const;

  InvokeSink* const functions_;
  const std::string account_id_;
  const std::string region_;
};

}  // namespace ll::apigw
