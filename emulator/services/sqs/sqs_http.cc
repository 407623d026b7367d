#include "services/sqs/sqs_http.h"

#include "base/strings.h"

namespace ll::sqs {

SqsHttpResponse HandleSqs(SqsService& service, const SqsHttpRequest& request) {
  const std::string request_id = NewUuid();
  SqsHttpResponse response = StartsWith(request.target, "AmazonSQS.")
                                 ? HandleSqsJson(service, request, request_id)
                                 : HandleSqsQuery(service, request, request_id);
  response.headers.emplace_back("x-amzn-RequestId", request_id);
  return response;
}

}  // namespace ll::sqs
