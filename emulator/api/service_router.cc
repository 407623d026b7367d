#include "api/service_router.h"

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

ServiceRoute RouteRequest(const RouteInputs& in) {
  std::string service = CredentialScopeService(in.authorization);
  if (service.empty() && !in.credential_param.empty()) {
    service = CredentialScopeService(in.credential_param);
  }
  if (service == "dynamodb" && StartsWith(in.target, "DynamoDBStreams_")) service = "dynamodbstreams";
  if (service.empty()) {
    if (StartsWith(in.target, "AmazonSQS.")) {
      service = "sqs";
    } else if (StartsWith(in.target, "DynamoDBStreams_")) {
      service = "dynamodbstreams";
    } else if (StartsWith(in.target, "DynamoDB_")) {
      service = "dynamodb";
    } else if (in.content_type.find("x-www-form-urlencoded") != std::string_view::npos &&
               in.body.find("Action=") != std::string_view::npos) {
      service = in.body.find("Version=2012-11-05") != std::string_view::npos ? "sqs" : "sns";
    } else if (IsLambdaPath(in.path)) {
      service = "lambda";
    } else {
      service = "s3";
      return {service, ProtocolOf(service, in.target), false};
    }
  }
  return {service, ProtocolOf(service, in.target), true};
}

}  // namespace ll
