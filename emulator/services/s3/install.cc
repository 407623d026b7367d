#include "services/s3/install.h"

#include "services/s3/s3_service.h"

namespace ll::s3 {
namespace {

class S3FrontService : public Service {
 public:
  explicit S3FrontService(std::unique_ptr<S3Service> s3) : s3_(std::move(s3)) {}

  void Handle(HttpRequest& req, HttpResponse& res) override { s3_->Handle(req, res); }

  Status Provision(const LoadedTemplate&) override { return s3_->objects().Restore(); }

 private:
  std::unique_ptr<S3Service> s3_;
};

}  // namespace

Status InstallS3(ServiceContext& context) {
  auto objects = ObjectStore::Open(context.state_dir / "s3", context.store);
  if (!objects.ok()) return objects.status();
  S3Options options;
  options.region = context.options.region;
  options.account_id = context.options.account_id;
  auto s3 = std::make_unique<S3Service>(options, std::move(*objects));
  context.services->Add("s3", std::make_unique<S3FrontService>(std::move(s3)));
  return Status::Ok();
}

}  // namespace ll::s3
