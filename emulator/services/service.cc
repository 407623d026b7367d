#include "services/service.h"

namespace ll {

void ServiceRegistry::Add(std::string name, std::unique_ptr<Service> service) {
  order_.push_back(service.get());
  services_[std::move(name)] = std::move(service);
}

Service* ServiceRegistry::Find(std::string_view name) const {
  auto it = services_.find(name);
  return it == services_.end() ? nullptr : it->second.get();
}

Status ServiceRegistry::ProvisionAll(const LoadedTemplate& loaded) {
  for (Service* s : order_) {
    Status provisioned = s->Provision(loaded);
    if (!provisioned.ok()) return provisioned;
  }
  return Status::Ok();
}

Status ServiceRegistry::ServeAll() {
  for (Service* s : order_) {
    Status served = s->Serve();
    if (!served.ok()) return served;
  }
  return Status::Ok();
}

void ServiceRegistry::ShutdownAll() {
  // In reverse: a service that sends to another (SNS to SQS) stops before it.
  for (auto it = order_.rbegin(); it != order_.rend(); ++it) (*it)->Shutdown();
}

}  // namespace ll
