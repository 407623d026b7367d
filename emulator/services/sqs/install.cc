#include "services/sqs/install.h"

#include <fmt/format.h>

#include "base/strings.h"
#include "http/http_body.h"
#include "model/error_names.h"
#include "services/sqs/sqs_event_source.h"
#include "services/sqs/sqs_http.h"
#include "services/sqs/sqs_service.h"
#include "model/limits.h"

namespace ll::sqs {
namespace {

class SqsFrontService : public Service {
 public:
  SqsFrontService(const ServiceOptions& options, StateStore* store)
      : sqs_([&] {
          SqsOptions o;
          o.region = options.region;
          o.account_id = options.account_id;
          o.default_host = options.default_host;
          o.state = store;
          return o;
        }()) {}

  SqsService* sqs() { return &sqs_; }

  void Handle(HttpRequest& req, HttpResponse& res) override {
    if (Status read = ReadBody(req, limits::kMaxRequestBytes); !read.ok()) {
      res.status = read.code() == kHttpRequestTooLarge ? 413 : 400;  // the error handler answers
      return;
    }
    SqsHttpRequest in;
    in.method = req.method;
    in.path = req.path;
    if (size_t q = req.target.find('?'); q != std::string::npos) in.query = req.target.substr(q + 1);
    in.target = req.HeaderValue("X-Amz-Target");
    in.content_type = req.HeaderValue("Content-Type");
    in.body = std::move(req.body);
    in.host = req.HeaderValue("Host");
    in.query_mode_header = req.HeaderValue("x-amzn-query-mode") == "true";
    SqsHttpResponse out = HandleSqs(sqs_, in);
    res.status = out.status;
    for (const auto& [k, v] : out.headers) res.SetHeader(k, v);
    res.SetContent(std::move(out.body), out.content_type);
  }

  Status Provision(const LoadedTemplate& loaded) override {
    if (Status restored = sqs_.Restore(); !restored.ok()) return restored;
    // A queue kept from an earlier run takes the template's settings.
    for (const auto& q : loaded.queues) {
      auto created = sqs_.CreateOrUpdateQueue(q.name, q.attributes);
      if (!created.ok()) {
        return Status::Error(errors::kInvalidTemplate, fmt::format("queue {}: {}", q.logical_id,
                                                            created.status().message()));
      }
    }
    return Status::Ok();
  }

  void Shutdown() override { sqs_.Shutdown(); }

 private:
  SqsService sqs_;
};

}  // namespace

void InstallSqs(ServiceContext& context) {
  auto service = std::make_unique<SqsFrontService>(context.options, context.store);
  SqsService* sqs = service->sqs();
  context.destinations->Register("sqs", [sqs](const std::string& arn, DestinationMessage in) {
    SendRequest message;
    message.body = std::move(in.body);
    for (auto& [name, a] : in.attributes) {
      MessageAttributeValue& v = message.attributes[name];
      v.data_type = std::move(a.data_type);
      v.string_value = std::move(a.string_value);
      v.binary_value = std::move(a.binary_value);
    }
    message.group_id = std::move(in.group_id);
    message.deduplication_id = std::move(in.deduplication_id);
    auto sent = sqs->Send(arn, std::move(message));
    return sent.ok() ? Status::Ok() : sent.status();
  });
  context.mappings->RegisterSource("sqs", std::make_unique<SqsSourceKind>(sqs));
  context.services->Add("sqs", std::move(service));
}

}  // namespace ll::sqs
