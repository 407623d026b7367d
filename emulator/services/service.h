// Service: one AWS service on the front port, registered under the name the front's router
// gives its requests ("lambda", "sqs", "s3", ...). ServiceContext: what a service's Install
// function may use of the core to plug itself in; adding a service is its folder and one
// Install call where the app is composed.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "http/http_message.h"
#include "invoke/destinations.h"
#include "invoke/invoke_sink.h"
#include "store/state_store.h"
#include "template/template_loader.h"
#include "triggers/mapping_registry.h"

namespace ll {

class Service {
 public:
  virtual ~Service() = default;

  // Answers one request routed to this service, on the connection's thread. The head is
  // parsed and req.route names the service; the body is unread: read it whole with ReadBody
  // (http/http_body.h) or stream it from req.body_reader.
  virtual void Handle(HttpRequest& req, HttpResponse& res) = 0;
  // Brings back what the state store kept, then creates (or updates) the template's resources
  // of this service, before anything is served.
  virtual Status Provision(const LoadedTemplate& loaded) { return Status::Ok(); }
  // Starts what the service serves besides the front port (a port of its own), once the front
  // port serves; an error stops the start.
  virtual Status Serve() { return Status::Ok(); }
  // Makes waiting requests (long polls) return and refuses new work; called once at stop,
  // after the functions are stopped and before the front port closes.
  virtual void Shutdown() {}
};

// The services on the front port, by route name. Filled before serving, then read-only.
class ServiceRegistry {
 public:
  void Add(std::string name, std::unique_ptr<Service> service);
  // Null when no service has that name.
  Service* Find(std::string_view name) const;
  // Each service's Provision, in the order they were added; the first error stops.
  Status ProvisionAll(const LoadedTemplate& loaded);
  // Each service's Serve, in order; the first error stops.
  Status ServeAll();
  // Each service's Shutdown, in the reverse order.
  void ShutdownAll();

 private:
  std::map<std::string, std::unique_ptr<Service>, std::less<>> services_;
  std::vector<Service*> order_;
};

struct ServiceOptions {
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
  // Host (and port) for URLs made outside a request, e.g. for template resources.
  std::string default_host = "localhost:4566";
  std::string bind_host = "127.0.0.1";  // where services with ports of their own listen
  int api_port = 3000;                  // API Gateway's own port; 0: none
  bool api_port_chosen = false;         // given on the command line: failing to bind it is fatal
  // JWT authorizers: a key set (file or URL) for every issuer, instead of each issuer's own;
  // or no signature checks at all.
  std::string jwks;
  bool jwt_skip_signature = false;
};

// Everything a service may reach. Pointers outlive every service.
struct ServiceContext {
  ServiceOptions options;
  ServiceRegistry* services = nullptr;  // the front port
  InvokeSink* functions = nullptr;      // the one door into functions
  Destinations* destinations = nullptr;  // where async outcomes and dead letters go, by ARN
  MappingRegistry* mappings = nullptr;   // poll-based event sources, by ARN
  StateStore* store = nullptr;           // what survives a restart: one section per record kind
  // A folder of the service's own files go under (<state_dir>/<service>); with --ephemeral a
  // temporary one, removed at exit.
  std::filesystem::path state_dir;
  // One-line messages for the console: (who, line).
  std::function<void(const std::string&, const std::string&)> notice;
};

}  // namespace ll
