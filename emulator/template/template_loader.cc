// The loader walks Resources twice: first every handler names its resources, so !Ref and
// !GetAtt to any resource resolve anywhere; then every handler reads its resources in
// template order. What a resource type means lives in its handler (resources/).
#include "template/template_loader.h"

#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "template/intrinsics.h"
#include "template/resource_handlers.h"

namespace ll {

Result<LoadedTemplate> ParseTemplate(std::string_view text, const std::filesystem::path& base_dir,
                                     const TemplateOptions& options,
                                     const ResourceHandlerTable& handlers) {
  auto root = ReadTemplateDocument(text);
  if (!root.ok()) return root.status();
  try {
    YAML::Node resources = (*root)["Resources"];
    if (!resources || !resources.IsMap()) return TemplateError("the template has no Resources map");
    std::map<std::string, std::string> parameters =
        ReadParameters(*root, options.parameter_overrides);
    YAML::Node globals(YAML::NodeType::Undefined);
    YAML::Node api_globals(YAML::NodeType::Undefined);
    YAML::Node http_api_globals(YAML::NodeType::Undefined);
    if (YAML::Node g = (*root)["Globals"]; g && g.IsMap()) {
      globals = g["Function"];
      api_globals = g["Api"];
      http_api_globals = g["HttpApi"];
    }

    Resolver names_only(options, parameters);
    const TemplateContext naming{names_only,  options,          base_dir, globals,
                                 api_globals, http_api_globals, resources};
    std::map<std::string, ResourceSymbols> symbols;
    for (const auto& kv : resources) {
      std::string type = kv.second["Type"] ? kv.second["Type"].as<std::string>() : "";
      const ResourceHandler* handler = handlers.Find(type);
      if (!handler || !handler->name) continue;
      std::string id = kv.first.as<std::string>();
      auto s = handler->name(naming, Resource{id, type, kv.second["Properties"], id});
      if (!s.ok()) return s.status();
      symbols[id] = std::move(*s);
    }

    Resolver resolver(options, std::move(parameters), symbols);
    const TemplateContext context{resolver,    options,          base_dir, globals,
                                  api_globals, http_api_globals, resources};
    LoadedTemplate out;
    for (const auto& kv : resources) {
      std::string id = kv.first.as<std::string>();
      if (!kv.second.IsMap() || !kv.second["Type"]) {
        return TemplateError("resource " + id + " has no Type");
      }
      std::string type = kv.second["Type"].as<std::string>();
      const ResourceHandler* handler = handlers.Find(type);
      if (!handler) {
        out.ignored.push_back(id + " (" + type + ")");
        continue;
      }
      auto named = symbols.find(id);
      std::string name = named == symbols.end() ? id : named->second.name;
      Status s = handler->load(context, Resource{id, type, kv.second["Properties"], name}, out);
      if (!s.ok()) return s;
    }
    return out;
  } catch (const YAML::Exception& e) {
    return TemplateError(fmt::format("unexpected template structure: {}", e.what()));
  }
}

Result<LoadedTemplate> ParseTemplate(std::string_view text, const std::filesystem::path& base_dir,
                                     const TemplateOptions& options) {
  return ParseTemplate(text, base_dir, options, DefaultResourceHandlers());
}

Result<LoadedTemplate> LoadTemplateFile(const std::filesystem::path& path,
                                        const TemplateOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return TemplateError("cannot read template " + path.string());
  std::stringstream buf;
  buf << in.rdbuf();
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::absolute(path, ec).parent_path();
  auto loaded = ParseTemplate(buf.str(), dir, options);
  if (!loaded.ok()) {
    return TemplateError(path.filename().string() + ": " + loaded.status().message());
  }
  return loaded;
}

std::filesystem::path FindDefaultTemplate(const std::filesystem::path& dir) {
  for (const char* name : {"template.yaml", "template.yml", "template.json"}) {
    std::filesystem::path p = dir / name;
    if (std::filesystem::exists(p)) return p;
  }
  return {};
}

}  // namespace ll
