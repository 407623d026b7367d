#include "api/lambda_errors.h"

#include "http/http_server.h"

#include <fmt/format.h>

#include "base/strings.h"
#include "model/error_names.h"

namespace ll {

int HttpStatusForLambdaError(const std::string& code) {
  if (code == errors::kResourceNotFound) return 404;
  if (code == errors::kRequestTooLarge) return 413;
  if (code == errors::kTooManyRequests) return 429;
  if (code == errors::kResourceConflict) return 409;
  if (code == errors::kPreconditionFailed) return 412;
  if (code == errors::kUnsupportedMediaType) return 415;
  if (code == errors::kService) return 500;
  if (code == errors::kInvalidZipFile || code == errors::kInvalidRuntime) return 502;
  if (code == errors::kNotImplemented) return 501;
  return 400;
}

void WriteLambdaError(HttpResponse& res, const Status& status,
                      const std::string& throttle_reason) {
  const std::string& code = status.code();
  res.status = HttpStatusForLambdaError(code);
  res.SetHeader("x-amzn-ErrorType", code);
  // Member casing follows each error shape of the Lambda model.
  const bool capital = code == errors::kResourceNotFound || code == errors::kService;
  const char* type = code == errors::kService ? "Service" : "User";
  std::string body = fmt::format("{{\"Type\":\"{}\",\"{}\":{}", type, capital ? "Message" : "message",
                                 JsonQuote(status.message()));
  if (!throttle_reason.empty()) {
    body += ",\"Reason\":" + JsonQuote(throttle_reason);
    res.SetHeader("Retry-After", "1");
  }
  body += "}";
  res.SetContent(body, "application/json");
}

void WriteServiceNotServed(HttpResponse& res, const ServiceRoute& route,
                           const std::string& request_id) {
  const std::string message = fmt::format(
      "The {} service is not served by this version of lambda-local", route.service);
  res.status = 501;
  switch (route.protocol) {
    case WireProtocol::kRestXml:
      res.SetHeader("x-amz-request-id", request_id);
      res.SetContent(fmt::format("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{}</Code>"
                                  "<Message>{}</Message><RequestId>{}</RequestId></Error>",
                                  errors::kNotImplemented, message, request_id),
                      "application/xml");
      break;
    case WireProtocol::kQuery:
      res.SetContent(fmt::format("<ErrorResponse><Error><Type>Sender</Type><Code>{}</Code>"
                                  "<Message>{}</Message></Error><RequestId>{}</RequestId>"
                                  "</ErrorResponse>",
                                  errors::kNotImplemented, message, request_id),
                      "text/xml");
      break;
    case WireProtocol::kJson10:
      res.SetContent(fmt::format("{{\"__type\":\"{}\",\"message\":{}}}", errors::kNotImplemented,
                                  JsonQuote(message)),
                      "application/x-amz-json-1.0");
      break;
    case WireProtocol::kRestJson:
      res.SetHeader("x-amzn-ErrorType", errors::kNotImplemented);
      res.SetContent(fmt::format("{{\"Type\":\"User\",\"message\":{}}}", JsonQuote(message)),
                      "application/json");
      break;
  }
}

}  // namespace ll
