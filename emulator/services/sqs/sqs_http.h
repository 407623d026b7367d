// The SQS wire protocols, free of any HTTP library: the front server copies what it needs from
// the request into SqsHttpRequest and writes SqsHttpResponse back. JSON 1.0 when X-Amz-Target
// is "AmazonSQS.<Op>"; otherwise the query protocol (Action=<Op>&Version=2012-11-05 in a form
// body or the query string, XML answers). CONTRACT.md §8.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "services/sqs/sqs_service.h"

namespace ll::sqs {

struct SqsHttpRequest {
  std::string method = "POST";
  std::string path = "/";  // without the query string; a query request may POST to a queue URL
  std::string query;       // raw query string (GET query-protocol requests), may be empty
  std::string target;      // X-Amz-Target
  std::string content_type;
  std::string body;
  std::string host;                // Host header, "127.0.0.1:4566": queue URLs are built from it
  bool query_mode_header = false;  // x-amzn-query-mode: true (informational)
};

struct SqsHttpResponse {
  int status = 200;
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // x-amzn-RequestId, ...
};

// Serves one SQS request. Thread-safe (as SqsService is); ReceiveMessage may block for its
// WaitTimeSeconds (at most 20 s), returning as soon as a message arrives, so it holds the
// calling worker thread that long.

SqsHttpResponse HandleSqs(SqsService& service, const SqsHttpRequest& request);

// The two protocols (sqs_json.cc, sqs_query.cc), for HandleSqs and tests.
SqsHttpResponse HandleSqsJson(SqsService& service, const SqsHttpRequest& request,
                              const std::string& request_id);
SqsHttpResponse HandleSqsQuery(SqsService& service, const SqsHttpRequest& request,
                               const std::string& request_id);

}  // namespace ll::sqs
