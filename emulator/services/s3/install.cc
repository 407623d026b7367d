#include "services/s3/install.h"

#include "services/s3/s3_service.h"
#include "services/s3/template_buckets.h"

namespace ll::s3 {
namespace {

class S3FrontService : public Service {
 public:
  S3FrontService(std::unique_ptr<Notifier> notifier, std::unique_ptr<S3Service> s3)
      : notifier_(std::move(notifier)), s3_(std::move(s3)) {}

  void Handle(HttpRequest& req, HttpResponse& res) override { s3_->Handle(req, res); }

  Status Provision(const LoadedTemplate& loaded) override {
    if (Status s = s3_->Restore(); !s.ok()) return s;
    return ProvisionBuckets(loaded, *s3_, *notifier_);
  }

 private:
  std::unique_ptr<Notifier> notifier_;  // outlives s3_
  std::unique_ptr<S3Service> s3_;
};

}  // namespace

Status InstallS3(ServiceContext& context) {
  auto objects = ObjectStore::Open(context.state_dir / "s3", context.store);
  if (!objects.ok()) return objects.status();
  S3Options options;
  options.region = context.options.region;
  options.account_id = context.options.account_id;
  auto notice = context.notice;
  auto notifier = std::make_unique<Notifier>(
      context.destinations, context.functions, context.options.region,
      [notice](const std::string& line) {
        if (notice) notice("s3", line);
      });
  auto s3 = std::make_unique<S3Service>(options, std::move(*objects), notifier.get());
  context.services->Add("s3", std::make_unique<S3FrontService>(std::move(notifier), std::move(s3)));
  return Status::Ok();
}

}  // namespace ll::s3
