// The seam between the template loader and the resource types it emulates: the loader walks
// Resources and hands each resource to the handler registered for its Type. Adding a resource
// type is one file in template/resources/ and one line in DefaultResourceHandlers().
#pragma once

#include <filesystem>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include <yaml-cpp/yaml.h>

#include "base/status.h"
#include "template/intrinsics.h"
#include "template/template_loader.h"

namespace ll {

// One entry of the template's Resources.
struct Resource {
  std::string logical_id;
  std::string type;
  YAML::Node properties;  // its Properties; may be absent (test it before use) or not a map
  std::string name;       // the name its handler's `name` step chose, else the logical id
};

// What every handler reads besides its resource; the same for the whole template.
struct TemplateContext {
  const Resolver& resolver;
  const TemplateOptions& options;
  std::filesystem::path base_dir;  // CodeUri paths are relative to it
  YAML::Node function_globals;     // Globals.Function; undefined when the template has none
  YAML::Node api_globals{YAML::NodeType::Undefined};       // Globals.Api (REST APIs), likewise
  YAML::Node http_api_globals{YAML::NodeType::Undefined};  // Globals.HttpApi, likewise
  // The template's whole Resources map, for types whose meaning is spread over several
  // resources (an API Gateway method's path is its resource's parents' path parts).
  YAML::Node resources{YAML::NodeType::Undefined};
};

// Two plain functions per resource type.
struct ResourceHandler {
  // Optional. Chooses the resource's name and what !Ref and !GetAtt give for it. Runs for every
  // resource before any `load`, so references resolve whatever the order of Resources; the
  // context's resolver knows Parameters and pseudo parameters only.
  Result<ResourceSymbols> (*name)(const TemplateContext& context, const Resource& resource);
  // Reads the resource into `out`, with every resource's symbols known to the resolver.
  Status (*load)(const TemplateContext& context, const Resource& resource, LoadedTemplate& out);
};

// Resource type ("AWS::SQS::Queue") -> handler. Immutable after construction.
class ResourceHandlerTable {
 public:
  ResourceHandlerTable(std::initializer_list<std::pair<const std::string, ResourceHandler>> entries)
      : by_type_(entries) {}
  // nullptr for a type lambda-local does not emulate.
  const ResourceHandler* Find(std::string_view type) const {
    auto it = by_type_.find(type);
    return it == by_type_.end() ? nullptr : &it->second;
  }

 private:
  const std::map<std::string, ResourceHandler, std::less<>> by_type_;
};

// The resource types ParseTemplate emulates; every other type is listed as ignored.
const ResourceHandlerTable& DefaultResourceHandlers();

// ParseTemplate with another table (tests give it fake handlers).
Result<LoadedTemplate> ParseTemplate(std::string_view text, const std::filesystem::path& base_dir,
                                     const TemplateOptions& options,
                                     const ResourceHandlerTable& handlers);

}  // namespace ll
