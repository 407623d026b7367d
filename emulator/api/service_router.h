// Tells which AWS service a request on the single front port is for, from its head, in this
// order: the SigV4 credential scope of the Authorization header, X-Amz-Target, a presigned
// query (SigV4 X-Amz-Credential, or SigV2 AWSAccessKeyId/Signature/Expires: S3), the Host (a
// bucket's virtual host: S3), the path (Lambda's dated prefixes), and last, for an unsigned
// query-protocol request, the Version in its form (CONTRACT.md §8.4). Anything else is
// taken for S3's path style, as a guess.
#pragma once

#include <string>
#include <string_view>

namespace ll {

enum class WireProtocol { kRestJson, kRestXml, kJson10, kQuery };

struct ServiceRoute {
  std::string service;  // "lambda", "s3", "sqs", "sns", "dynamodb", "dynamodbstreams", ...
  WireProtocol protocol = WireProtocol::kRestJson;
  bool by_headers = true;  // false: a guess from the path alone (an unsigned request)
  // The head alone cannot tell (an unsigned form POST): route again with the body read.
  bool needs_body = false;
};

// The <service> of "Credential=AKID/20240101/us-east-1/<service>/aws4_request", or "".
std::string CredentialScopeService(std::string_view authorization);

struct RouteInputs {
  std::string_view authorization;     // Authorization header
  std::string_view credential_param;  // X-Amz-Credential query parameter (presigned)
  bool sigv2_presigned = false;       // AWSAccessKeyId, Signature and Expires in the query
  std::string_view target;            // X-Amz-Target header
  std::string_view host;              // Host header
  std::string_view content_type;
  // The form of a query-protocol request: its body, or Action/Version from the query string.
  std::string_view body;
  bool body_known = true;  // false: the body is not read yet (a form POST then needs_body)
  std::string_view path;
};

// True for a Host that names an S3 bucket: "<bucket>.localhost", "<bucket>.s3.localhost",
// "<bucket>.s3[.<region>].amazonaws.com" (any port); S3's own rule (s3::BucketOfVirtualHost).
bool IsBucketHost(std::string_view host);

ServiceRoute RouteRequest(const RouteInputs& in);

}  // namespace ll
