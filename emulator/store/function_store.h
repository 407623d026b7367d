// FunctionStore: every function lambda-local serves (from the template and from the API), with
// its published versions, aliases, concurrency, async-invoke configs, policy and tags.
// Hands out immutable FunctionConfig snapshots; thread-safe.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "model/function_config.h"
#include "model/function_url.h"
#include "model/invocation.h"

namespace ll {

struct AliasConfig {
  std::string name;
  std::string function_version;
  std::string description;
  std::map<std::string, double> additional_weights;  // RoutingConfig.AdditionalVersionWeights
  std::string revision_id;
};

struct FunctionRecord {
  std::shared_ptr<const FunctionConfig> latest;
  std::map<int, std::shared_ptr<const FunctionConfig>> versions;
  int last_version = 0;
  std::map<std::string, AliasConfig> aliases;
  std::map<std::string, EventInvokeConfig> invoke_configs;  // by qualifier: "$LATEST", "1", alias
  std::map<std::string, std::string> policy_statements;     // Sid -> statement JSON
  std::string policy_revision_id;
  std::map<std::string, std::string> tags;
  std::map<std::string, FunctionUrlConfig> urls;  // by qualifier: "" (unqualified) or an alias
  bool from_template = false;
  std::string zip_path;  // the uploaded package, served back by GetFunction; empty for templates
};

class FunctionStore {
 public:
  // ResourceConflictException when the name is taken.
  Status Create(FunctionRecord record);
  // Replaces or adds a template function, keeping what the API added to it (versions, aliases...).
  void PutTemplateFunction(const FunctionConfig& config);
  std::optional<FunctionRecord> Get(const std::string& name) const;
  std::vector<FunctionRecord> List() const;  // in name order
  // Applies `mutate` atomically; ResourceNotFoundException when there is no such function.
  Status Update(const std::string& name, const std::function<Status(FunctionRecord&)>& mutate);
  Status Delete(const std::string& name);
  // Resolves a qualifier ("", "$LATEST", a version, an alias with weighted routing).
  Result<ResolvedFunction> Resolve(const std::string& name, const std::string& qualifier) const;

  // The function and qualifier whose URL has `url_id`, with its configuration.
  std::optional<FunctionUrlTarget> FindUrl(std::string_view url_id) const;

  // Called after every change with the name of the function changed (created, updated or
  // deleted), outside the lock (e.g. to persist it).
  using OnChange = std::function<void(const std::string& name)>;
  void set_on_change(OnChange on_change) { on_change_ = std::move(on_change); }

 private:
  mutable std::mutex mu_;
  // Points url_index_ at `name`'s URLs (none when `rec` is null). mu_ held.
  void IndexUrlsLocked(const std::string& name, const FunctionRecord* rec);

  std::map<std::string, FunctionRecord> functions_;  // guarded by mu_
  // URL id -> (function, qualifier); guarded by mu_.
  std::map<std::string, std::pair<std::string, std::string>, std::less<>> url_index_;
  OnChange on_change_;                               // set before serving
};

// Helpers shared by the control plane.
std::string NewRevisionId();
std::string NowLastModified();  // "2019-10-29T21:35:35.522+0000"

}  // namespace ll
