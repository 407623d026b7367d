#include "api/service_router.h"

#include "services/s3/s3_request.h"

#include "base/strings.h"

namespace ll {
namespace {

bool IsLambdaPath(std::string_view path) {
  // /YYYY-MM-DD/ date prefixes of the Lambda API.
  static constexpr std::string_view kPrefixes[] = {
      "/2015-03-31/", "/2014-11-13/", "/2016-08-19/", "/2017-03-31/", "/2017-10-31/",
      "/2018-10-31/", "/2019-09-25/", "/2019-09-30/", "/2020-04-22/", "/2020-06-30/",
      "/2021-07-20/", "/2021-10-31/", "/2021-11-15/", "/2024-08-31/", "/2025-11-30/",
      "/2025-12-01/", "/_lambda-local/"};
  for (auto p : kPrefixes) {
    if (StartsWith(path, p)) return true;
  }
  return false;
}

WireProtocol ProtocolOf(const std::string& service, std::string_view target) {
  if (service == "lambda") return WireProtocol::kRestJson;
  if (service == "s3") return WireProtocol::kRestXml;
  if (service == "sqs") return target.empty() ? WireProtocol::kQuery : WireProtocol::kJson10;
  if (service == "dynamodb" || service == "dynamodbstreams") return WireProtocol::kJson10;
  if (!target.empty()) return WireProtocol::kJson10;
  return WireProtocol::kQuery;  // sns, sts, iam, ...
}

}  // namespace

std::string CredentialScopeService(std::string_view authorization) {
  size_t at = authorization.find("Credential=");
  std::string_view scope;
  if (at != std::string_view::npos) {
    scope = authorization.substr(at + 11);
  } else {
    scope = authorization;  // X-Amz-Credential carries the bare scope
  }
  size_t end = scope.find_first_of(", ");
  if (end != std::string_view::npos) scope = scope.substr(0, end);
  // AKID/date/region/service/aws4_request
  size_t slashes[4];
  size_t pos = 0;
  for (int i = 0; i < 4; ++i) {
    pos = scope.find('/', pos);
    if (pos == std::string_view::npos) return "";
    slashes[i] = pos++;
  }
  return std::string(scope.substr(slashes[2] + 1, slashes[3] - slashes[2] - 1));
}

bool IsBucketHost(std::string_view host) { return !s3::BucketOfVirtualHost(host).empty(); }

ServiceRoute RouteRequest(const RouteInputs& in) {
  auto routed = [&](std::string service) {
    WireProtocol protocol = ProtocolOf(service, in.target);
    return ServiceRoute{std::move(service), protocol, true, false};
  };
  // A function URL: before the signature's scope, which names "lambda" for AWS_IAM URLs.
  if (in.host.find(".lambda-url.") != std::string_view::npos || StartsWith(in.path, "/_lambda-url/")) {
    return ServiceRoute{"lambda-url", WireProtocol::kRestJson, true, false};
  }
  std::string service = CredentialScopeService(in.authorization);
  if (service == "dynamodb" && StartsWith(in.target, "DynamoDBStreams_")) service = "dynamodbstreams";
  if (!service.empty()) return routed(service);
  if (StartsWith(in.authorization, "AWS ")) return routed("s3");  // SigV2: only S3 still takes it
  if (StartsWith(in.target, "AmazonSQS.")) return routed("sqs");
  if (StartsWith(in.target, "DynamoDBStreams_")) return routed("dynamodbstreams");
  if (StartsWith(in.target, "DynamoDB_")) return routed("dynamodb");
  if (!in.credential_param.empty()) {
    service = CredentialScopeService(in.credential_param);
    if (!service.empty()) return routed(service);
  }
  // API Gateway's data plane: an API's own host, or the path form of the front port.
  if (in.host.find(".execute-api.") != std::string_view::npos ||
      (StartsWith(in.path, "/restapis/") && in.path.find("/_user_request_") != std::string_view::npos)) {
    return ServiceRoute{"execute-api", WireProtocol::kRestJson, true, false};
  }
  if (in.sigv2_presigned || IsBucketHost(in.host)) return routed("s3");
  if (IsLambdaPath(in.path)) return routed("lambda");
  // SNS's signing certificate, where SigningCertURL points (no bucket name has capitals).
  if (StartsWith(in.path, "/SimpleNotificationService-")) return routed("sns");
  if (in.content_type.find("x-www-form-urlencoded") != std::string_view::npos) {
    if (!in.body_known) {
      ServiceRoute later{"", WireProtocol::kQuery, true, true};
      return later;
    }
    if (in.body.find("Action=") != std::string_view::npos) {
      return routed(in.body.find("Version=2012-11-05") != std::string_view::npos ? "sqs" : "sns");
    }
  }
  return {"s3", WireProtocol::kRestXml, false, false};
}

}  // namespace ll
