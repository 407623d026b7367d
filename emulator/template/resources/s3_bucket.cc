// AWS::S3::Bucket: a bucket created at start (BucketName, or a name made from the logical id as
// CloudFormation makes one), with its NotificationConfiguration, versioning status and tags.
#include <fmt/format.h>

#include <cctype>

#include "template/resources/handlers.h"

namespace ll {
namespace {

// CloudFormation names an unnamed bucket "<stack>-<logical id>-<random>", lower-cased. With no
// stack here, the name is "<logical id>-<hash of the template folder>": stable across restarts
// (the bucket keeps its objects) and distinct between projects.
std::string GeneratedBucketName(const TemplateContext& context, const std::string& logical_id) {
  std::string name;
  for (char c : logical_id) {
    if (std::isalnum(static_cast<unsigned char>(c))) name += char(std::tolower(static_cast<unsigned char>(c)));
  }
  const uint32_t hash = ProjectHash(context);
  name = name.substr(0, 63 - 9);
  return fmt::format("{}-{:08x}", name.empty() ? "bucket" : name, hash);
}

}  // namespace

uint32_t ProjectHash(const TemplateContext& context) {
  uint32_t hash = 2166136261u;  // FNV-1a
  for (char c : context.base_dir.string()) hash = (hash ^ uint8_t(c)) * 16777619u;
  return hash;
}

Result<std::vector<std::string>> EvalStringOrList(const Resolver& resolver, const YAML::Node& node) {
  std::vector<std::string> out;
  if (node.IsSequence()) {
    for (const auto& item : node) {
      auto v = resolver.Eval(item);
      if (!v.ok()) return v.status();
      out.push_back(*v);
    }
  } else {
    auto v = resolver.Eval(node);
    if (!v.ok()) return v.status();
    out.push_back(*v);
  }
  return out;
}

Status ReadS3KeyFilter(const Resolver& resolver, const YAML::Node& filter, BucketTarget& target) {
  if (!filter || !filter.IsMap() || !filter["S3Key"] || !filter["S3Key"]["Rules"]) {
    return Status::Ok();
  }
  for (const auto& rule : filter["S3Key"]["Rules"]) {
    auto name = resolver.Eval(rule["Name"]);
    auto value = resolver.Eval(rule["Value"]);
    if (!name.ok()) return name.status();
    if (!value.ok()) return value.status();
    std::string lower = *name;
    for (char& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
    if (lower == "prefix") {
      target.prefix = *value;
    } else if (lower == "suffix") {
      target.suffix = *value;
    } else {
      return TemplateError("filter rule name must be either prefix or suffix, not " + *name);
    }
  }
  return Status::Ok();
}

Result<ResourceSymbols> NameS3Bucket(const TemplateContext& context, const Resource& resource) {
  std::string name;
  const YAML::Node& props = resource.properties;
  if (props && props.IsMap() && props["BucketName"]) {
    auto n = context.resolver.Eval(props["BucketName"]);
    if (!n.ok()) {
      return TemplateError("bucket " + resource.logical_id + ": BucketName: " + n.status().message());
    }
    name = *n;
  } else {
    name = GeneratedBucketName(context, resource.logical_id);
  }
  const std::string& region = context.options.region;
  ResourceSymbols symbols;
  symbols.name = name;
  symbols.ref = name;
  symbols.attributes["Arn"] = "arn:aws:s3:::" + name;
  symbols.attributes["DomainName"] = name + ".s3.amazonaws.com";
  symbols.attributes["RegionalDomainName"] = fmt::format("{}.s3.{}.amazonaws.com", name, region);
  symbols.attributes["DualStackDomainName"] = fmt::format("{}.s3.dualstack.{}.amazonaws.com", name, region);
  symbols.attributes["WebsiteURL"] = fmt::format("http://{}.s3-website-{}.amazonaws.com", name, region);
  return symbols;
}

Status LoadS3Bucket(const TemplateContext& context, const Resource& resource, LoadedTemplate& out) {
  const std::string where = "bucket " + resource.logical_id;
  BucketResource bucket;
  bucket.logical_id = resource.logical_id;
  bucket.name = resource.name;
  const YAML::Node& props = resource.properties;
  if (props && props.IsMap()) {
    if (const YAML::Node& n = props["NotificationConfiguration"]; n && n.IsMap()) {
      static constexpr std::pair<const char*, std::pair<const char*, const char*>> kKinds[] = {
          {"LambdaConfigurations", {"lambda", "Function"}},
          {"QueueConfigurations", {"queue", "Queue"}},
          {"TopicConfigurations", {"topic", "Topic"}},
      };
      for (const auto& [list, kind] : kKinds) {
        if (!n[list]) continue;
        for (const auto& c : n[list]) {
          BucketTarget target;
          target.kind = kind.first;
          auto arn = context.resolver.Eval(c[kind.second]);
          if (!arn.ok()) return TemplateError(where + ": " + list + ": " + arn.status().message());
          target.arn = *arn;
          auto events = EvalStringOrList(context.resolver, c["Event"]);
          if (!events.ok()) return TemplateError(where + ": Event: " + events.status().message());
          target.events = *events;
          if (Status s = ReadS3KeyFilter(context.resolver, c["Filter"], target); !s.ok()) {
            return TemplateError(where + ": " + s.message());
          }
          target.id = fmt::format("{}-{}-{}", resource.logical_id, kind.first, bucket.notifications.size() + 1);
          bucket.notifications.push_back(std::move(target));
        }
      }
    }
    if (const YAML::Node& v = props["VersioningConfiguration"]; v && v["Status"]) {
      auto status = context.resolver.Eval(v["Status"]);
      if (status.ok()) bucket.versioning = *status;
    }
    if (const YAML::Node& tags = props["Tags"]; tags && tags.IsSequence()) {
      for (const auto& tag : tags) {
        auto key = context.resolver.Eval(tag["Key"]);
        auto value = context.resolver.Eval(tag["Value"]);
        if (key.ok() && value.ok()) bucket.tags.emplace_back(*key, *value);
      }
    }
  }
  out.buckets.push_back(std::move(bucket));
  return Status::Ok();
}

}  // namespace ll
