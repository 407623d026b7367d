// Function URLs in a template: a function's FunctionUrlConfig (SAM) and AWS::Lambda::Url.
#include <fmt/format.h>

#include "model/function_ref.h"
#include "template/resources/handlers.h"

namespace ll {
namespace {

Result<std::vector<std::string>> StringList(const Resolver& resolver, const YAML::Node& node,
                                            const std::string& what) {
  if (!node.IsSequence()) return TemplateError(what + " must be a list");
  std::vector<std::string> out;
  for (const YAML::Node& item : node) {
    auto v = resolver.Eval(item);
    if (!v.ok()) return TemplateError(what + ": " + v.status().message());
    out.push_back(*v);
  }
  return out;
}

// AuthType, InvokeMode and Cors of `props` into `url`; `where` names them in errors.
Status ReadUrlProperties(const TemplateContext& context, const YAML::Node& props, const std::string& where,
                         FunctionUrlResource& url) {
  if (!props || !props.IsMap()) return TemplateError(where + " must be a map");
  if (!props["AuthType"]) return TemplateError(where + ": AuthType is required (NONE or AWS_IAM)");
  auto auth = context.resolver.Eval(props["AuthType"]);
  if (!auth.ok() || (*auth != "NONE" && *auth != "AWS_IAM")) {
    return TemplateError(where + ": AuthType must be NONE or AWS_IAM");
  }
  url.auth_type = *auth;
  if (props["InvokeMode"]) {
    auto mode = context.resolver.Eval(props["InvokeMode"]);
    if (!mode.ok() || (*mode != "BUFFERED" && *mode != "RESPONSE_STREAM")) {
      return TemplateError(where + ": InvokeMode must be BUFFERED or RESPONSE_STREAM");
    }
    url.invoke_mode = *mode;
  }
  if (const YAML::Node& cors = props["Cors"]) {
    if (!cors.IsMap()) return TemplateError(where + ": Cors must be a map");
    FunctionUrlCors c;
    for (const auto& kv : cors) {
      const std::string key = kv.first.as<std::string>();
      const std::string what = where + ": Cors." + key;
      if (key == "AllowCredentials") {
        auto v = context.resolver.Eval(kv.second);
        if (!v.ok() || (*v != "true" && *v != "false")) return TemplateError(what + " must be true or false");
        c.allow_credentials = *v == "true";
      } else if (key == "MaxAge") {
        auto v = EvalInt(context.resolver, kv.second, what);
        if (!v.ok()) return v.status();
        if (*v < 0 || *v > 86400) return TemplateError(what + " must be from 0 to 86400");
        c.max_age = *v;
      } else if (key == "AllowHeaders" || key == "AllowMethods" || key == "AllowOrigins" ||
                 key == "ExposeHeaders") {
        auto list = StringList(context.resolver, kv.second, what);
        if (!list.ok()) return list.status();
        (key == "AllowHeaders"   ? c.allow_headers
         : key == "AllowMethods" ? c.allow_methods
         : key == "AllowOrigins" ? c.allow_origins
                                 : c.expose_headers) = std::move(*list);
      } else {
        return TemplateError(what + ": not a property of Cors");
      }
    }
    url.cors = std::move(c);
  }
  return Status::Ok();
}

}  // namespace

Status ReadFunctionUrlConfig(const TemplateContext& context, const Resource& function, LoadedTemplate& out) {
  const YAML::Node& config = function.properties ? function.properties["FunctionUrlConfig"] : YAML::Node();
  if (!config) return Status::Ok();
  FunctionUrlResource url;
  url.function_name = function.name;
  url.source = function.logical_id + ".FunctionUrlConfig";
  if (Status s = ReadUrlProperties(context, config, "function " + function.logical_id + ": FunctionUrlConfig", url);
      !s.ok()) {
    return s;
  }
  out.function_urls.push_back(std::move(url));
  return Status::Ok();
}

Status LoadLambdaUrl(const TemplateContext& context, const Resource& resource, LoadedTemplate& out) {
  const std::string where = "function URL " + resource.logical_id;
  const YAML::Node& props = resource.properties;
  if (!props || !props["TargetFunctionArn"]) return TemplateError(where + ": TargetFunctionArn is required");
  auto target = context.resolver.Eval(props["TargetFunctionArn"]);
  if (!target.ok()) return TemplateError(where + ": TargetFunctionArn: " + target.status().message());
  auto ref = ParseFunctionRef(*target);
  if (!ref.ok()) return TemplateError(where + ": TargetFunctionArn: " + ref.status().message());
  FunctionUrlResource url;
  url.function_name = ref->name;
  url.qualifier = ref->qualifier;
  if (props["Qualifier"]) {
    auto q = context.resolver.Eval(props["Qualifier"]);
    if (!q.ok()) return TemplateError(where + ": Qualifier: " + q.status().message());
    url.qualifier = *q;
  }
  url.source = resource.logical_id;
  if (Status s = ReadUrlProperties(context, props, where, url); !s.ok()) return s;
  out.function_urls.push_back(std::move(url));
  return Status::Ok();
}

}  // namespace ll
