// Tells which AWS service a request on the single front port is for: the SigV4 credential
// scope first, then X-Amz-Target, the form body's Version, and the path (CONTRACT.md §8.4).
#pragma once

#include <string>
#include <string_view>

namespace ll {

enum class WireProtocol { kRestJson, kRestXml, kJson10, kQuery };

struct ServiceRoute {
  std::string service;  // "lambda", "s3", "sqs", "sns", "dynamodb", "dynamodbstreams", ...
  WireProtocol protocol = WireProtocol::kRestJson;
  bool by_headers = true;  // false: a guess from the path alone (an unsigned request)
};

// The <service> of "Credential=AKID/20240101/us-east-1/<service>/aws4_request", or "".
std::string CredentialScopeService(std::string_view authorization);

struct RouteInputs {
  std::string_view authorization;     // Authorization header
  std::string_view credential_param;  // X-Amz-Credential query parameter (presigned)
  std::string_view target;            // X-Amz-Target header
  std::string_view content_type;
  std::string_view body;
  std::string_view path;
};

ServiceRoute RouteRequest(const RouteInputs& in);

}  // namespace ll
