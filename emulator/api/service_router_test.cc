#include "api/service_router.h"

#include <catch2/catch.hpp>

using namespace ll;

TEST_CASE("credential scope names the service") {
  CHECK(CredentialScopeService("AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/lambda/aws4_request, "
                               "SignedHeaders=host, Signature=abc") == "lambda");
  CHECK(CredentialScopeService("AKID/20240101/us-east-1/s3/aws4_request") == "s3");
  CHECK(CredentialScopeService("garbage") == "");
  CHECK(CredentialScopeService("") == "");
}

TEST_CASE("requests route by scope, then target, form body and path") {
  RouteInputs in;
  in.authorization = "AWS4-HMAC-SHA256 Credential=A/20240101/us-east-1/dynamodb/aws4_request, X";
  in.target = "DynamoDBStreams_20120810.GetRecords";
  CHECK(RouteRequest(in).service == "dynamodbstreams");

  RouteInputs sqs_json;
  sqs_json.target = "AmazonSQS.SendMessage";
  CHECK(RouteRequest(sqs_json).service == "sqs");
  CHECK(RouteRequest(sqs_json).protocol == WireProtocol::kJson10);

  RouteInputs query;
  query.content_type = "application/x-www-form-urlencoded; charset=utf-8";
  query.body = "Action=Publish&Version=2010-03-31";
  CHECK(RouteRequest(query).service == "sns");
  CHECK(RouteRequest(query).protocol == WireProtocol::kQuery);

  RouteInputs unsigned_invoke;
  unsigned_invoke.path = "/2015-03-31/functions/f/invocations";
  CHECK(RouteRequest(unsigned_invoke).service == "lambda");

  RouteInputs bucket;
  bucket.path = "/my-bucket/key";
  CHECK(RouteRequest(bucket).service == "s3");
  CHECK(RouteRequest(bucket).protocol == WireProtocol::kRestXml);

  // A bucket named like a Lambda date segment still goes to S3 when the request is signed.
  RouteInputs signed_s3;
  signed_s3.authorization = "AWS4-HMAC-SHA256 Credential=A/20240101/us-east-1/s3/aws4_request, X";
  signed_s3.path = "/2015-03-31/functions";
  CHECK(RouteRequest(signed_s3).service == "s3");
}
