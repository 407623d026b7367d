#include "store/state_file.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <fstream>
#include <mutex>
#include <sstream>

#include <fmt/format.h>

#include "base/strings.h"

namespace ll {
namespace {

constexpr int kFormat = 1;
constexpr char kInvalid[] = "StateFileInvalid";

using Value = rapidjson::Value;

// ---- writing: templates, for the file's pretty writer and the store's compact one ----

template <typename Writer>
void Str(Writer& w, const char* key, std::string_view value) {
  w.Key(key);
  w.String(value.data(), rapidjson::SizeType(value.size()));
}

template <typename Writer>
void Int(Writer& w, const char* key, int64_t value) {
  w.Key(key);
  w.Int64(value);
}

template <typename Writer>
void OptionalInt(Writer& w, const char* key, const std::optional<int>& value) {
  w.Key(key);
  if (value)
    w.Int(*value);
  else
    w.Null();
}

template <typename Writer>
void StringMap(Writer& w, const char* key, const std::map<std::string, std::string>& m) {
  w.Key(key);
  w.StartObject();
  for (const auto& [k, v] : m) {
    w.Key(k.data(), rapidjson::SizeType(k.size()));
    w.String(v.data(), rapidjson::SizeType(v.size()));
  }
  w.EndObject();
}

template <typename Writer>
void StringList(Writer& w, const char* key, const std::vector<std::string>& list) {
  w.Key(key);
  w.StartArray();
  for (const auto& s : list) w.String(s.data(), rapidjson::SizeType(s.size()));
  w.EndArray();
}

template <typename Writer>
void WriteConfig(Writer& w, const FunctionConfig& c) {
  w.StartObject();
  Str(w, "name", c.name);
  Str(w, "logical_id", c.logical_id);
  Str(w, "runtime", c.runtime);
  Str(w, "handler", c.handler);
  Str(w, "code_dir", c.code_dir.string());
  Int(w, "memory_mb", c.memory_mb);
  Int(w, "timeout_s", c.timeout_s);
  StringMap(w, "environment", c.environment);
  OptionalInt(w, "reserved_concurrency", c.reserved_concurrency);
  Str(w, "region", c.region);
  Str(w, "account_id", c.account_id);
  Str(w, "version", c.version);
  Str(w, "description", c.description);
  Str(w, "role", c.role);
  Str(w, "code_sha256", c.code_sha256);
  Int(w, "code_size", c.code_size);
  Str(w, "last_modified", c.last_modified);
  Str(w, "revision_id", c.revision_id);
  StringList(w, "architectures", c.architectures);
  Int(w, "ephemeral_storage_mb", c.ephemeral_storage_mb);
  Str(w, "dead_letter_target_arn", c.dead_letter_target_arn);
  Str(w, "tracing_mode", c.tracing_mode);
  StringList(w, "layers", c.layers);
  w.EndObject();
}

// The parts of a record the API adds, template function or not.
template <typename Writer>
void WriteApiParts(Writer& w, const FunctionRecord& rec) {
  w.Key("versions");
  w.StartArray();
  for (const auto& [number, config] : rec.versions) WriteConfig(w, *config);
  w.EndArray();
  Int(w, "last_version", rec.last_version);
  w.Key("aliases");
  w.StartArray();
  for (const auto& [name, alias] : rec.aliases) {
    w.StartObject();
    Str(w, "name", alias.name);
    Str(w, "function_version", alias.function_version);
    Str(w, "description", alias.description);
    w.Key("additional_weights");
    w.StartObject();
    for (const auto& [version, weight] : alias.additional_weights) {
      w.Key(version.c_str());
      w.Double(weight);
    }
    w.EndObject();
    Str(w, "revision_id", alias.revision_id);
    w.EndObject();
  }
  w.EndArray();
  w.Key("invoke_configs");
  w.StartObject();
  for (const auto& [qualifier, config] : rec.invoke_configs) {
    w.Key(qualifier.c_str());
    w.StartObject();
    OptionalInt(w, "maximum_retry_attempts", config.maximum_retry_attempts);
    OptionalInt(w, "maximum_event_age_s", config.maximum_event_age_s);
    Str(w, "on_success_arn", config.on_success_arn);
    Str(w, "on_failure_arn", config.on_failure_arn);
    w.Key("last_modified");
    w.Double(config.last_modified);
    w.EndObject();
  }
  w.EndObject();
  StringMap(w, "policy_statements", rec.policy_statements);
  Str(w, "policy_revision_id", rec.policy_revision_id);
  StringMap(w, "tags", rec.tags);
  // The template's URLs are made again at each start from the template.
  w.Key("urls");
  w.StartObject();
  for (const auto& [qualifier, url] : rec.urls) {
    if (url.from_template) continue;
    w.Key(qualifier.data(), rapidjson::SizeType(qualifier.size()));
    w.StartObject();
    Str(w, "url_id", url.url_id);
    Str(w, "auth_type", url.auth_type);
    Str(w, "invoke_mode", url.invoke_mode);
    Str(w, "creation_time", url.creation_time);
    Str(w, "last_modified_time", url.last_modified_time);
    if (url.cors) {
      const FunctionUrlCors& c = *url.cors;
      w.Key("cors");
      w.StartObject();
      if (c.allow_credentials) {
        w.Key("allow_credentials");
        w.Bool(*c.allow_credentials);
      }
      if (c.allow_headers) StringList(w, "allow_headers", *c.allow_headers);
      if (c.allow_methods) StringList(w, "allow_methods", *c.allow_methods);
      if (c.allow_origins) StringList(w, "allow_origins", *c.allow_origins);
      if (c.expose_headers) StringList(w, "expose_headers", *c.expose_headers);
      if (c.max_age) OptionalInt(w, "max_age", c.max_age);
      w.EndObject();
    }
    w.EndObject();
  }
  w.EndObject();
}

// ---- reading: a missing or mistyped member reads as the default ----

std::string GetStr(const Value& o, const char* key, std::string fallback = "") {
  auto it = o.FindMember(key);
  if (it == o.MemberEnd() || !it->value.IsString()) return fallback;
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

int64_t GetInt(const Value& o, const char* key, int64_t fallback) {
  auto it = o.FindMember(key);
  return it != o.MemberEnd() && it->value.IsInt64() ? it->value.GetInt64() : fallback;
}

std::optional<int> GetOptionalInt(const Value& o, const char* key) {
  auto it = o.FindMember(key);
  if (it == o.MemberEnd() || !it->value.IsInt()) return std::nullopt;
  return it->value.GetInt();
}

std::map<std::string, std::string> GetStringMap(const Value& o, const char* key) {
  std::map<std::string, std::string> out;
  auto it = o.FindMember(key);
  if (it == o.MemberEnd() || !it->value.IsObject()) return out;
  for (const auto& m : it->value.GetObject()) {
    if (m.value.IsString())
      out[m.name.GetString()] = std::string(m.value.GetString(), m.value.GetStringLength());
  }
  return out;
}

std::vector<std::string> GetStringList(const Value& o, const char* key,
                                       std::vector<std::string> fallback = {}) {
  auto it = o.FindMember(key);
  if (it == o.MemberEnd() || !it->value.IsArray()) return fallback;
  std::vector<std::string> out;
  for (const auto& v : it->value.GetArray()) {
    if (v.IsString()) out.emplace_back(v.GetString(), v.GetStringLength());
  }
  return out;
}

const Value* GetObject(const Value& o, const char* key) {
  auto it = o.FindMember(key);
  return it != o.MemberEnd() && it->value.IsObject() ? &it->value : nullptr;
}

std::shared_ptr<const FunctionConfig> ReadConfig(const Value& o) {
  auto c = std::make_shared<FunctionConfig>();
  c->name = GetStr(o, "name");
  c->logical_id = GetStr(o, "logical_id");
  c->runtime = GetStr(o, "runtime");
  c->handler = GetStr(o, "handler");
  c->code_dir = GetStr(o, "code_dir");
  c->memory_mb = int(GetInt(o, "memory_mb", c->memory_mb));
  c->timeout_s = int(GetInt(o, "timeout_s", c->timeout_s));
  c->environment = GetStringMap(o, "environment");
  c->reserved_concurrency = GetOptionalInt(o, "reserved_concurrency");
  c->region = GetStr(o, "region", c->region);
  c->account_id = GetStr(o, "account_id", c->account_id);
  c->version = GetStr(o, "version", c->version);
  c->description = GetStr(o, "description");
  c->role = GetStr(o, "role");
  c->code_sha256 = GetStr(o, "code_sha256");
  c->code_size = GetInt(o, "code_size", 0);
  c->last_modified = GetStr(o, "last_modified");
  c->revision_id = GetStr(o, "revision_id");
  c->architectures = GetStringList(o, "architectures", c->architectures);
  c->ephemeral_storage_mb = int(GetInt(o, "ephemeral_storage_mb", c->ephemeral_storage_mb));
  c->dead_letter_target_arn = GetStr(o, "dead_letter_target_arn");
  c->tracing_mode = GetStr(o, "tracing_mode", c->tracing_mode);
  c->layers = GetStringList(o, "layers");
  return c;
}

// Reads the API parts of an entry into `rec` (whose latest is already set).
void ReadApiParts(const Value& o, FunctionRecord& rec) {
  rec.versions.clear();
  if (auto it = o.FindMember("versions"); it != o.MemberEnd() && it->value.IsArray()) {
    for (const auto& v : it->value.GetArray()) {
      if (!v.IsObject()) continue;
      auto config = ReadConfig(v);
      const std::string& number = config->version;
      if (number.empty() || number.size() > 9 ||
          number.find_first_not_of("0123456789") != std::string::npos) {
        continue;
      }
      rec.versions[std::stoi(number)] = config;
    }
  }
  rec.last_version = int(GetInt(o, "last_version", 0));
  if (!rec.versions.empty())
    rec.last_version = std::max(rec.last_version, rec.versions.rbegin()->first);
  rec.aliases.clear();
  if (auto it = o.FindMember("aliases"); it != o.MemberEnd() && it->value.IsArray()) {
    for (const auto& a : it->value.GetArray()) {
      if (!a.IsObject()) continue;
      AliasConfig alias;
      alias.name = GetStr(a, "name");
      alias.function_version = GetStr(a, "function_version");
      alias.description = GetStr(a, "description");
      alias.revision_id = GetStr(a, "revision_id");
      if (const Value* weights = GetObject(a, "additional_weights")) {
        for (const auto& m : weights->GetObject()) {
          if (m.value.IsNumber())
            alias.additional_weights[m.name.GetString()] = m.value.GetDouble();
        }
      }
      if (!alias.name.empty()) rec.aliases[alias.name] = alias;
    }
  }
  rec.invoke_configs.clear();
  if (const Value* configs = GetObject(o, "invoke_configs")) {
    for (const auto& m : configs->GetObject()) {
      if (!m.value.IsObject()) continue;
      EventInvokeConfig c;
      c.maximum_retry_attempts = GetOptionalInt(m.value, "maximum_retry_attempts");
      c.maximum_event_age_s = GetOptionalInt(m.value, "maximum_event_age_s");
      c.on_success_arn = GetStr(m.value, "on_success_arn");
      c.on_failure_arn = GetStr(m.value, "on_failure_arn");
      if (auto lm = m.value.FindMember("last_modified");
          lm != m.value.MemberEnd() && lm->value.IsNumber()) {
        c.last_modified = lm->value.GetDouble();
      }
      rec.invoke_configs[m.name.GetString()] = c;
    }
  }
  rec.policy_statements = GetStringMap(o, "policy_statements");
  rec.policy_revision_id = GetStr(o, "policy_revision_id");
  rec.tags = GetStringMap(o, "tags");
  std::erase_if(rec.urls, [](const auto& entry) { return !entry.second.from_template; });
  if (const Value* urls = GetObject(o, "urls")) {
    for (const auto& m : urls->GetObject()) {
      if (!m.value.IsObject()) continue;
      FunctionUrlConfig url;
      url.url_id = GetStr(m.value, "url_id");
      url.auth_type = GetStr(m.value, "auth_type", url.auth_type);
      url.invoke_mode = GetStr(m.value, "invoke_mode", url.invoke_mode);
      url.creation_time = GetStr(m.value, "creation_time");
      url.last_modified_time = GetStr(m.value, "last_modified_time");
      if (const Value* c = GetObject(m.value, "cors")) {
        FunctionUrlCors cors;
        if (auto it = c->FindMember("allow_credentials"); it != c->MemberEnd() && it->value.IsBool()) {
          cors.allow_credentials = it->value.GetBool();
        }
        auto list = [&](const char* key) -> std::optional<std::vector<std::string>> {
          if (!c->HasMember(key)) return std::nullopt;
          return GetStringList(*c, key);
        };
        cors.allow_headers = list("allow_headers");
        cors.allow_methods = list("allow_methods");
        cors.allow_origins = list("allow_origins");
        cors.expose_headers = list("expose_headers");
        cors.max_age = GetOptionalInt(*c, "max_age");
        url.cors = std::move(cors);
      }
      if (!url.url_id.empty()) rec.urls[std::string(m.name.GetString(), m.name.GetStringLength())] = url;
    }
  }
}

// One entry of the "functions" list.
template <typename Writer>
void WriteEntry(Writer& w, const FunctionRecord& rec) {
  w.StartObject();
  Str(w, "name", rec.latest->name);
  w.Key("from_template");
  w.Bool(rec.from_template);
  if (rec.from_template) {
    // The template describes the function itself; only the API's additions are ours.
    OptionalInt(w, "reserved_concurrency", rec.latest->reserved_concurrency);
  } else {
    w.Key("latest");
    WriteConfig(w, *rec.latest);
    Str(w, "zip_path", rec.zip_path);
  }
  WriteApiParts(w, rec);
  w.EndObject();
}

// Adds one entry to `store`; false when it does not apply (malformed, the template took its
// name, or a template function the template no longer defines).
bool ApplyEntry(FunctionStore* store, const Value& entry) {
  if (!entry.IsObject()) return false;
  const std::string name = GetStr(entry, "name");
  if (name.empty()) return false;
  auto from_template = entry.FindMember("from_template");
  const bool template_entry = from_template != entry.MemberEnd() &&
                              from_template->value.IsBool() && from_template->value.GetBool();
  if (template_entry) {
    auto existing = store->Get(name);
    if (!existing || !existing->from_template) return false;  // gone from the template
    const std::optional<int> reserved = GetOptionalInt(entry, "reserved_concurrency");
    (void)store->Update(name, [&](FunctionRecord& rec) {
      ReadApiParts(entry, rec);
      if (rec.latest->reserved_concurrency != reserved) {
        auto latest = std::make_shared<FunctionConfig>(*rec.latest);
        latest->reserved_concurrency = reserved;
        rec.latest = latest;
      }
      return Status::Ok();
    });
    return true;
  }
  const Value* latest = GetObject(entry, "latest");
  if (!latest || store->Get(name)) return false;  // malformed, or the template took the name
  FunctionRecord rec;
  rec.latest = ReadConfig(*latest);
  if (rec.latest->name != name) return false;
  rec.zip_path = GetStr(entry, "zip_path");
  ReadApiParts(entry, rec);
  return store->Create(std::move(rec)).ok();
}

std::mutex& SaveMutex() {
  static std::mutex mu;
  return mu;
}

}  // namespace

std::string SerializeState(const FunctionStore& store) {
  rapidjson::StringBuffer buf;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buf);
  w.SetIndent(' ', 1);
  w.StartObject();
  Int(w, "format", kFormat);
  w.Key("functions");
  w.StartArray();
  for (const FunctionRecord& rec : store.List()) WriteEntry(w, rec);
  w.EndArray();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

std::string SerializeFunction(const FunctionRecord& rec) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  WriteEntry(w, rec);
  return std::string(buf.GetString(), buf.GetSize());
}

Result<bool> DeserializeFunction(FunctionStore* store, std::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    return Status::Error(kInvalid, "a function entry that is not a JSON object");
  }
  return ApplyEntry(store, doc);
}

Status DeserializeState(FunctionStore* store, const std::string& json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError()) {
    return Status::Error(kInvalid, fmt::format("not JSON: {} (at offset {})",
                                               rapidjson::GetParseError_En(doc.GetParseError()),
                                               doc.GetErrorOffset()));
  }
  if (!doc.IsObject() || GetInt(doc, "format", 0) != kFormat) {
    return Status::Error(kInvalid,
                         fmt::format("not a lambda-local state file of format {}", kFormat));
  }
  auto functions = doc.FindMember("functions");
  if (functions == doc.MemberEnd() || !functions->value.IsArray()) {
    return Status::Error(kInvalid, "no \"functions\" list");
  }
  for (const auto& entry : functions->value.GetArray()) (void)ApplyEntry(store, entry);
  return Status::Ok();
}

Status SaveState(const FunctionStore& store, const std::filesystem::path& file) {
  std::lock_guard<std::mutex> lock(SaveMutex());
  const std::string json = SerializeState(store);
  std::filesystem::path temp = file;
  temp += ".tmp-" + RandomHex(8);
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out.write(json.data(), std::streamsize(json.size()));
    out.flush();
    if (!out) {
      std::error_code ec;
      std::filesystem::remove(temp, ec);
      return Status::Error("StateNotSaved", "cannot write " + temp.string());
    }
  }
  std::error_code ec;
  std::filesystem::rename(temp, file, ec);
  if (ec) {
    std::filesystem::remove(temp, ec);
    return Status::Error("StateNotSaved",
                         fmt::format("cannot replace {}: {}", file.string(), ec.message()));
  }
  return Status::Ok();
}

Status LoadState(FunctionStore* store, const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    if (!std::filesystem::exists(file)) return Status::Ok();
    return Status::Error(kInvalid, "cannot read the state file " + file.string());
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  Status s = DeserializeState(store, ss.str());
  if (!s.ok()) {
    return Status::Error(kInvalid, fmt::format("state file {}: {} (move it away to start afresh)",
                                               file.string(), s.message()));
  }
  return Status::Ok();
}

}  // namespace ll
