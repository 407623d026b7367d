// Puts API Gateway in front of the template's functions: its routes served on a port of their
// own (--api-port, as `sam local start-api`) and on the front port by API id
// ("/restapis/{id}/{stage}/_user_request_/..." or Host "{id}.execute-api.localhost"). The one
// call the app makes for API Gateway.
#pragma once

#include "services/service.h"

namespace ll::apigw {

void InstallApiGateway(ServiceContext& context);

}  // namespace ll::apigw
