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

TEST_CASE("function URLs route by host or path, before a signature's scope") {
  RouteInputs signed_url;
  signed_url.host = "0123456789abcdef0123456789abcdef.lambda-url.us-east-1.localhost:4566";
  signed_url.authorization = "AWS4-HMAC-SHA256 Credential=A/20240101/us-east-1/lambda/aws4_request, X";
  CHECK(RouteRequest(signed_url).service == "lambda-url");
  RouteInputs by_path;
  by_path.path = "/_lambda-url/0123456789abcdef0123456789abcdef/items";
  CHECK(RouteRequest(by_path).service == "lambda-url");
  RouteInputs api;
  api.path = "/2021-10-31/functions/f/url";
  api.authorization = signed_url.authorization;
  CHECK(RouteRequest(api).service == "lambda");
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

TEST_CASE("the head routes: presigned queries and bucket hosts are S3, an unsigned form waits for its body") {
  RouteInputs presigned_v4;
  presigned_v4.credential_param = "AKID/20240101/us-east-1/s3/aws4_request";
  presigned_v4.path = "/bucket/key";
  CHECK(RouteRequest(presigned_v4).service == "s3");
  CHECK(RouteRequest(presigned_v4).by_headers);

  RouteInputs presigned_v2;
  presigned_v2.sigv2_presigned = true;
  presigned_v2.path = "/2015-03-31/functions";  // a bucket, since the query says S3
  CHECK(RouteRequest(presigned_v2).service == "s3");

  RouteInputs sigv2_header;
  sigv2_header.authorization = "AWS AKID:c2lnbmF0dXJl";
  CHECK(RouteRequest(sigv2_header).service == "s3");

  // A bucket name with dots is still one bucket (the S3 service reads the same rule).
  for (const char* host : {"photos.localhost:4566", "my.photos.localhost:4566", "photos.s3.localhost", "photos.s3.amazonaws.com",
                           "photos.s3.eu-west-1.amazonaws.com:4566"}) {
    INFO(host);
    RouteInputs in;
    in.host = host;
    in.path = "/key";
    CHECK(RouteRequest(in).service == "s3");
    CHECK(RouteRequest(in).by_headers);
  }
  for (const char* host : {"localhost:4566", "127.0.0.1:4566", "[::1]:4566", ".localhost", "lambda.us-east-1.amazonaws.com"}) {
    INFO(host);
    CHECK_FALSE(IsBucketHost(host));
  }

  RouteInputs form;
  form.content_type = "application/x-www-form-urlencoded";
  form.body_known = false;
  form.path = "/";
  CHECK(RouteRequest(form).needs_body);
  form.body_known = true;
  form.body = "Action=SendMessage&Version=2012-11-05";
  CHECK(RouteRequest(form).service == "sqs");
  CHECK_FALSE(RouteRequest(form).needs_body);

  // curl -d sends form encoding: an unsigned invoke is still Lambda's by its path.
  RouteInputs curl_invoke;
  curl_invoke.content_type = "application/x-www-form-urlencoded";
  curl_invoke.body_known = false;
  curl_invoke.path = "/2015-03-31/functions/f/invocations";
  CHECK(RouteRequest(curl_invoke).service == "lambda");
}
