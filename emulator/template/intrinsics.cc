#include "template/intrinsics.h"
#include "model/error_names.h"

#include <cstdlib>
#include <stdexcept>

#include <fmt/format.h>

#include "base/strings.h"

namespace ll {

Status TemplateError(std::string message) {
  return Status::Error(errors::kInvalidTemplate, std::move(message));
}

Result<YAML::Node> ReadTemplateDocument(std::string_view text) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return TemplateError(fmt::format("not valid YAML or JSON: {}", e.what()));
  }
  if (!root.IsMap()) return TemplateError("the template must be a YAML or JSON object");
  return root;
}

std::map<std::string, std::string> ReadParameters(
    const YAML::Node& root, const std::map<std::string, std::string>& overrides) {
  std::map<std::string, std::string> parameters;
  if (YAML::Node params = root["Parameters"]; params && params.IsMap()) {
    for (const auto& kv : params) {
      if (kv.second.IsMap() && kv.second["Default"]) {
        parameters[kv.first.as<std::string>()] = kv.second["Default"].as<std::string>();
      }
    }
  }
  for (const auto& [k, v] : overrides) parameters[k] = v;
  return parameters;
}

Resolver::Resolver(const TemplateOptions& options, std::map<std::string, std::string> parameters,
                   std::map<std::string, ResourceSymbols> resources)
    : options_(options), parameters_(std::move(parameters)), resources_(std::move(resources)) {}

Result<std::string> Resolver::Eval(const YAML::Node& node) const {
  const std::string& tag = node.Tag();
  if (tag == "!Ref") return Ref(node.as<std::string>());
  if (tag == "!Sub") return Sub(node);
  if (tag == "!GetAtt") return GetAtt(node);
  if (tag == "!Join") return Join(node);
  if (node.IsMap() && node.size() == 1) {
    auto it = node.begin();
    const std::string key = it->first.as<std::string>();
    if (key == "Ref") return Ref(it->second.as<std::string>());
    if (key == "Fn::Sub") return Sub(it->second);
    if (key == "Fn::GetAtt") return GetAtt(it->second);
    if (key == "Fn::Join") return Join(it->second);
  }
  if (node.IsScalar()) return node.as<std::string>();
  if (!tag.empty() && tag != "?" && tag != "!") {
    return TemplateError(fmt::format("unsupported intrinsic function {}", tag));
  }
  return TemplateError("expected a string value");
}

Result<std::string> Resolver::Ref(const std::string& name) const {
  if (auto it = parameters_.find(name); it != parameters_.end()) return it->second;
  if (name == "AWS::Region") return options_.region;
  if (name == "AWS::AccountId") return options_.account_id;
  if (name == "AWS::Partition") return std::string("aws");
  if (name == "AWS::URLSuffix") return std::string("amazonaws.com");
  if (name == "AWS::StackName") return std::string("lambda-local");
  if (name == "AWS::StackId") {
    return fmt::format("arn:aws:cloudformation:{}:{}:stack/lambda-local/local", options_.region,
                       options_.account_id);
  }
  if (name == "AWS::NoValue") return std::string();
  if (auto it = resources_.find(name); it != resources_.end()) return it->second.ref;
  return name;  // another resource: its logical id stands in for the physical id
}

Result<std::string> Resolver::GetAttr(const std::string& resource,
                                      const std::string& attribute) const {
  if (auto it = resources_.find(resource); it != resources_.end()) {
    const auto& attributes = it->second.attributes;
    if (auto a = attributes.find(attribute); a != attributes.end()) return a->second;
  }
  if (attribute == "Arn") {
    return fmt::format("arn:aws:local:{}:{}:{}", options_.region, options_.account_id, resource);
  }
  return resource;
}

Result<std::string> Resolver::GetAtt(const YAML::Node& node) const {
  if (node.IsScalar()) {
    std::string s = node.as<std::string>();
    size_t dot = s.find('.');
    if (dot == std::string::npos) return TemplateError("!GetAtt needs Resource.Attribute");
    return GetAttr(s.substr(0, dot), s.substr(dot + 1));
  }
  if (node.IsSequence() && node.size() == 2) {
    return GetAttr(node[0].as<std::string>(), node[1].as<std::string>());
  }
  return TemplateError("!GetAtt needs Resource.Attribute");
}

Result<std::string> Resolver::Join(const YAML::Node& node) const {
  if (!node.IsSequence() || node.size() != 2 || !node[1].IsSequence()) {
    return TemplateError("!Join needs [delimiter, [values]]");
  }
  std::string delimiter = node[0].as<std::string>();
  std::string out;
  for (size_t i = 0; i < node[1].size(); ++i) {
    auto part = Eval(node[1][i]);
    if (!part.ok()) return part.status();
    if (i) out += delimiter;
    out += *part;
  }
  return out;
}

Result<std::string> Resolver::Sub(const YAML::Node& node) const {
  std::string text;
  std::map<std::string, std::string> vars;
  if (node.IsScalar()) {
    text = node.as<std::string>();
  } else if (node.IsSequence() && node.size() == 2 && node[1].IsMap()) {
    text = node[0].as<std::string>();
    for (const auto& kv : node[1]) {
      auto v = Eval(kv.second);
      if (!v.ok()) return v.status();
      vars[kv.first.as<std::string>()] = *v;
    }
  } else {
    return TemplateError("!Sub needs a string or [string, {variables}]");
  }
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = text.find("${", i);
    if (start == std::string::npos) {
      out.append(text, i, std::string::npos);
      break;
    }
    out.append(text, i, start - i);
    size_t end = text.find('}', start);
    if (end == std::string::npos) return TemplateError("!Sub: unterminated ${ in '" + text + "'");
    std::string name = text.substr(start + 2, end - start - 2);
    if (!name.empty() && name[0] == '!') {
      out += "${" + name.substr(1) + "}";  // ${!Literal} escapes substitution
    } else if (auto it = vars.find(name); it != vars.end()) {
      out += it->second;
    } else if (size_t dot = name.find('.'); dot != std::string::npos) {
      auto v = GetAttr(name.substr(0, dot), name.substr(dot + 1));
      if (!v.ok()) return v.status();
      out += *v;
    } else {
      auto v = Ref(name);
      if (!v.ok()) return v.status();
      out += *v;
    }
    i = end + 1;
  }
  return out;
}

Result<int> EvalInt(const Resolver& resolver, const YAML::Node& node, const std::string& what) {
  auto s = resolver.Eval(node);
  if (!s.ok()) return s.status();
  try {
    size_t used = 0;
    int v = std::stoi(*s, &used);
    if (used != s->size()) throw std::invalid_argument(*s);
    return v;
  } catch (const std::exception&) {
    return TemplateError(fmt::format("{} must be an integer, got '{}'", what, *s));
  }
}

namespace {

bool LooksNumeric(const std::string& s) {
  if (s.empty()) return false;
  char* end = nullptr;
  std::strtod(s.c_str(), &end);
  return end && *end == '\0' && s.find_first_of("xX") == std::string::npos;
}

// A YAML value as JSON text, intrinsics evaluated.
Result<std::string> NodeToJson(const Resolver& resolver, const YAML::Node& node) {
  const std::string& tag = node.Tag();
  bool intrinsic = (!tag.empty() && tag != "?" && tag != "!") ||
                   (node.IsMap() && node.size() == 1 &&
                    (node.begin()->first.as<std::string>() == "Ref" ||
                     node.begin()->first.as<std::string>().rfind("Fn::", 0) == 0));
  if (intrinsic) {
    auto v = resolver.Eval(node);
    if (!v.ok()) return v.status();
    return JsonQuote(*v);
  }
  if (node.IsMap()) {
    std::string out = "{";
    for (const auto& kv : node) {
      auto v = NodeToJson(resolver, kv.second);
      if (!v.ok()) return v.status();
      if (out.size() > 1) out += ",";
      out += JsonQuote(kv.first.as<std::string>()) + ":" + *v;
    }
    return out + "}";
  }
  if (node.IsSequence()) {
    std::string out = "[";
    for (size_t i = 0; i < node.size(); ++i) {
      auto v = NodeToJson(resolver, node[i]);
      if (!v.ok()) return v.status();
      if (i) out += ",";
      out += *v;
    }
    return out + "]";
  }
  if (node.IsNull()) return std::string("null");
  std::string text = node.as<std::string>();
  if (tag == "?" && (text == "true" || text == "false" || text == "null" || LooksNumeric(text))) {
    return text;
  }
  return JsonQuote(text);
}

}  // namespace

Result<std::string> JsonOrString(const Resolver& resolver, const YAML::Node& node) {
  if (node.IsMap() && !(node.size() == 1 && (node["Ref"] || node["Fn::Sub"] || node["Fn::Join"]))) {
    return NodeToJson(resolver, node);
  }
  return resolver.Eval(node);
}

}  // namespace ll
