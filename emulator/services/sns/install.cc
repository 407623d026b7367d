#include "services/sns/install.h"

#include "http/http_body.h"
#include "model/limits.h"
#include "services/sns/sns_query.h"
#include "services/sns/sns_service.h"
#include "services/sns/template_topics.h"

namespace ll::sns {
namespace {

class SnsFrontService : public Service {
 public:
  explicit SnsFrontService(std::unique_ptr<SnsService> sns) : sns_(std::move(sns)) {}

  void Handle(HttpRequest& req, HttpResponse& res) override {
    if (req.method == "GET" && req.path == sns_->certificate_path()) {
      res.status = 200;
      res.SetContent(sns_->certificate_pem(), "application/x-x509-ca-cert");
      return;
    }
    if (Status read = ReadBody(req, limits::kMaxRequestBytes); !read.ok()) {
      res.status = read.code() == kHttpRequestTooLarge ? 413 : 400;  // the error handler answers
      return;
    }
    std::string_view query;
    if (size_t q = req.target.find('?'); q != std::string::npos) {
      query = std::string_view(req.target).substr(q + 1);
    }
    SnsHttpResponse out = HandleSnsQuery(*sns_, query, req.body);
    res.status = out.status;
    std::string content_type = "text/xml";
    for (auto& [k, v] : out.headers) {
      if (k == "Content-Type") {
        content_type = v;
      } else {
        res.SetHeader(k, v);
      }
    }
    res.SetContent(std::move(out.body), content_type);
  }

  Status Provision(const LoadedTemplate& loaded) override {
    if (Status s = sns_->Restore(); !s.ok()) return s;
    return ProvisionTopics(loaded, *sns_);
  }

  void Shutdown() override { sns_->Shutdown(); }

 private:
  std::unique_ptr<SnsService> sns_;
};

}  // namespace

Status InstallSns(ServiceContext& context) {
  auto signer = MessageSigner::Open(context.state_dir / "sns");
  if (!signer.ok()) return signer.status();
  SnsOptions options;
  options.region = context.options.region;
  options.account_id = context.options.account_id;
  options.base_url = "http://" + context.options.default_host;
  auto notice = context.notice;
  auto sns = std::make_unique<SnsService>(options, context.store, context.destinations,
                                          std::move(*signer), [notice](const std::string& line) {
                                            if (notice) notice("sns", line);
                                          });
  SnsService* raw = sns.get();
  context.destinations->Register("sns", [raw](const std::string& arn, DestinationMessage message) {
    PublishRequest r;
    r.topic_arn = arn;
    r.message = std::move(message.body);
    r.subject = std::move(message.subject);
    r.group_id = std::move(message.group_id);
    r.deduplication_id = std::move(message.deduplication_id);
    for (auto& [name, a] : message.attributes) {
      r.attributes[name] = MessageAttribute{a.data_type, a.string_value, a.binary_value};
    }
    auto published = raw->Publish(std::move(r));
    return published.ok() ? Status::Ok() : published.status();
  });
  context.services->Add("sns", std::make_unique<SnsFrontService>(std::move(sns)));
  return Status::Ok();
}

}  // namespace ll::sns
