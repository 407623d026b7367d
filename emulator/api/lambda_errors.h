// The one place a Status becomes an HTTP answer: Lambda's rest-json error shape
// (x-amzn-ErrorType + JSON body), and the shapes of services lambda-local does not serve yet.
#pragma once

#include <string>

#include "api/service_router.h"
#include "base/status.h"
#include "http/http_message.h"

namespace ll {

// Writes `status` as a Lambda API error. `throttle_reason` is set for TooManyRequestsException.
void WriteLambdaError(HttpResponse& res, const Status& status,
                      const std::string& throttle_reason = "");

// An AWS-shaped "not implemented" answer in the protocol of `route`.
void WriteServiceNotServed(HttpResponse& res, const ServiceRoute& route,
                           const std::string& request_id);

int HttpStatusForLambdaError(const std::string& code);

}  // namespace ll
