#include "template/resources/function_properties.h"

#include <fmt/format.h>

#include "template/resources/handlers.h"

namespace ll {
namespace {

// Property lookup: the function's own value, else the Globals.Function value.
YAML::Node Prop(const YAML::Node& props, const YAML::Node& globals, const char* key) {
  if (props && props.IsMap() && props[key]) return props[key];
  if (globals && globals.IsMap() && globals[key]) return globals[key];
  return YAML::Node(YAML::NodeType::Undefined);  // a default Node is Null, which tests true
}

Status ReadEnvironment(const Resolver& resolver, const YAML::Node& env, const std::string& where,
                       std::map<std::string, std::string>& out) {
  if (!env) return Status::Ok();
  YAML::Node vars = env["Variables"];
  if (!vars) return Status::Ok();
  if (!vars.IsMap()) return TemplateError(where + ": Environment.Variables must be a map");
  for (const auto& kv : vars) {
    auto v = resolver.Eval(kv.second);
    if (!v.ok()) {
      return TemplateError(where + ": Environment." + kv.first.as<std::string>() + ": " +
                           v.status().message());
    }
    out[kv.first.as<std::string>()] = *v;
  }
  return Status::Ok();
}

// Sets `value` from `node` (the property `key`) when it is given; it must lie in [low, high].
Status ReadBoundedInt(const Resolver& resolver, const YAML::Node& node, const std::string& where,
                      const char* key, int low, int high, const char* unit, int& value) {
  if (!node) return Status::Ok();
  auto v = EvalInt(resolver, node, where + ": " + key);
  if (!v.ok()) return v.status();
  if (*v < low || *v > high) {
    return TemplateError(
        fmt::format("{}: {} {} is outside {}-{} {}", where, key, *v, low, high, unit));
  }
  value = *v;
  return Status::Ok();
}

Result<FunctionConfig> ReadFunction(const TemplateContext& context, const Resource& resource,
                                    const char* code_key, const YAML::Node& globals) {
  const Resolver& resolver = context.resolver;
  const YAML::Node& props = resource.properties;
  const std::string where = "function " + resource.logical_id;
  FunctionConfig fn;
  fn.logical_id = resource.logical_id;
  fn.name = resource.name;
  fn.region = context.options.region;
  fn.account_id = context.options.account_id;

  if (YAML::Node package = Prop(props, globals, "PackageType"); package) {
    auto p = resolver.Eval(package);
    if (p.ok() && *p == "Image") {
      return TemplateError(where + ": PackageType Image is not supported");
    }
  }
  YAML::Node runtime = Prop(props, globals, "Runtime");
  if (!runtime) return TemplateError(where + ": Runtime is required");
  auto runtime_value = resolver.Eval(runtime);
  if (!runtime_value.ok()) {
    return TemplateError(where + ": Runtime: " + runtime_value.status().message());
  }
  fn.runtime = *runtime_value;

  if (YAML::Node handler = Prop(props, globals, "Handler"); handler) {
    auto h = resolver.Eval(handler);
    if (!h.ok()) return TemplateError(where + ": Handler: " + h.status().message());
    fn.handler = *h;
  }

  // SAM: CodeUri (default "."), CloudFormation: Code as a local path string.
  YAML::Node code = Prop(props, globals, code_key);
  std::string code_uri = ".";
  if (code) {
    if (code.IsMap() && !code["Ref"] && !code["Fn::Sub"]) {
      return TemplateError(where +
                           ": CodeUri must be a local folder (S3 locations are not supported)");
    }
    auto c = resolver.Eval(code);
    if (!c.ok()) return TemplateError(where + ": CodeUri: " + c.status().message());
    code_uri = *c;
  }
  if (code_uri.rfind("s3://", 0) == 0) {
    return TemplateError(where + ": CodeUri must be a local folder, not " + code_uri);
  }
  const std::filesystem::path& base_dir = context.base_dir;
  std::error_code ec;
  std::filesystem::path code_dir = std::filesystem::weakly_canonical(base_dir / code_uri, ec);
  if (ec || !std::filesystem::is_directory(code_dir)) {
    return TemplateError(fmt::format("{}: CodeUri '{}' is not a folder ({})", where, code_uri,
                                     (base_dir / code_uri).lexically_normal().string()));
  }
  fn.code_dir = code_dir;

  Status memory = ReadBoundedInt(resolver, Prop(props, globals, "MemorySize"), where,
                                 "MemorySize", 128, 10240, "MB", fn.memory_mb);
  if (!memory.ok()) return memory;
  Status timeout = ReadBoundedInt(resolver, Prop(props, globals, "Timeout"), where, "Timeout", 1,
                                  900, "seconds", fn.timeout_s);
  if (!timeout.ok()) return timeout;
  if (YAML::Node r = Prop(props, globals, "ReservedConcurrentExecutions"); r) {
    auto v = EvalInt(resolver, r, where + ": ReservedConcurrentExecutions");
    if (!v.ok()) return v.status();
    if (*v < 0) return TemplateError(where + ": ReservedConcurrentExecutions must be >= 0");
    fn.reserved_concurrency = *v;
  }
  // Globals first, then the function's own variables on top (SAM merges the maps).
  if (globals && globals.IsMap()) {
    Status s = ReadEnvironment(resolver, globals["Environment"], where, fn.environment);
    if (!s.ok()) return s;
  }
  if (props && props.IsMap()) {
    Status s = ReadEnvironment(resolver, props["Environment"], where, fn.environment);
    if (!s.ok()) return s;
  }
  return fn;
}

}  // namespace

Result<ResourceSymbols> NameFunction(const TemplateContext& context, const Resource& resource) {
  std::string name = resource.logical_id;
  if (YAML::Node props = resource.properties; props && props["FunctionName"]) {
    auto n = context.resolver.Eval(props["FunctionName"]);
    if (!n.ok()) {
      return TemplateError("function " + resource.logical_id +
                           ": FunctionName: " + n.status().message());
    }
    name = *n;
  }
  ResourceSymbols symbols;
  symbols.name = name;
  symbols.ref = name;
  symbols.attributes["Arn"] = fmt::format("arn:aws:lambda:{}:{}:function:{}",
                                          context.options.region, context.options.account_id, name);
  return symbols;
}

Status AddFunction(const TemplateContext& context, const Resource& resource,
                   const char* code_key, const YAML::Node& globals, LoadedTemplate& out) {
  auto fn = ReadFunction(context, resource, code_key, globals);
  if (!fn.ok()) return fn.status();
  for (const FunctionConfig& other : out.functions) {
    if (other.name == fn->name) return TemplateError("two functions are named " + fn->name);
  }
  out.functions.push_back(std::move(*fn));
  return Status::Ok();
}

}  // namespace ll
