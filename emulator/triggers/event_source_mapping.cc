#include "triggers/event_source_mapping.h"
#include "model/error_names.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <fmt/format.h>

#include "base/strings.h"

namespace ll {

std::string EventSourceMappingJson(const EventSourceMapping& m, const std::string& state,
                                   const std::string& region, const std::string& account_id) {
  std::string out = "{\"UUID\":" + JsonQuote(m.uuid);
  out += fmt::format(",\"BatchSize\":{},\"MaximumBatchingWindowInSeconds\":{}", m.batch_size,
                     m.maximum_batching_window_s);
  out += ",\"EventSourceArn\":" + JsonQuote(m.event_source_arn);
  if (!m.filter_patterns.empty()) {
    out += ",\"FilterCriteria\":{\"Filters\":[";
    for (size_t i = 0; i < m.filter_patterns.size(); ++i) {
      if (i) out += ",";
      out += "{\"Pattern\":" + JsonQuote(m.filter_patterns[i]) + "}";
    }
    out += "]}";
  }
  out += ",\"FunctionArn\":" + JsonQuote(m.function_arn);
  out += fmt::format(",\"LastModified\":{:.3f}", m.last_modified);
  out += ",\"State\":" + JsonQuote(state) + ",\"StateTransitionReason\":\"USER_INITIATED\"";
  out += ",\"FunctionResponseTypes\":[";
  for (size_t i = 0; i < m.function_response_types.size(); ++i) {
    if (i) out += ",";
    out += JsonQuote(m.function_response_types[i]);
  }
  out += "]";
  if (m.maximum_concurrency) {
    out += fmt::format(",\"ScalingConfig\":{{\"MaximumConcurrency\":{}}}", *m.maximum_concurrency);
  }
  out += ",\"EventSourceMappingArn\":" +
         JsonQuote(fmt::format("arn:aws:lambda:{}:{}:event-source-mapping:{}", region, account_id,
                               m.uuid));
  out += "}";
  return out;
}

std::string MappingStateJson(const EventSourceMapping& m) {
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> w(out);
  auto strings = [&w](const char* key, const std::vector<std::string>& values) {
    w.Key(key);
    w.StartArray();
    for (const auto& v : values) w.String(v.data(), rapidjson::SizeType(v.size()));
    w.EndArray();
  };
  w.StartObject();
  w.Key("uuid");
  w.String(m.uuid.c_str());
  w.Key("eventSourceArn");
  w.String(m.event_source_arn.c_str());
  w.Key("functionName");
  w.String(m.function_name.c_str());
  w.Key("qualifier");
  w.String(m.qualifier.c_str());
  w.Key("batchSize");
  w.Int(m.batch_size);
  w.Key("maximumBatchingWindowInSeconds");
  w.Int(m.maximum_batching_window_s);
  w.Key("enabled");
  w.Bool(m.enabled);
  strings("functionResponseTypes", m.function_response_types);
  if (m.maximum_concurrency) {
    w.Key("maximumConcurrency");
    w.Int(*m.maximum_concurrency);
  }
  strings("filterPatterns", m.filter_patterns);
  w.Key("lastModified");
  w.Double(m.last_modified);
  w.EndObject();
  return std::string(out.GetString(), out.GetSize());
}

Result<EventSourceMapping> ParseMappingState(std::string_view json) {
  const Status invalid = Status::Error(errors::kStateInvalid, "an event source mapping in the state "
                                                       "store cannot be read");
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsObject()) return invalid;
  EventSourceMapping m;
  auto text = [&](const char* key, std::string* out) {
    auto it = doc.FindMember(key);
    if (it == doc.MemberEnd() || !it->value.IsString()) return false;
    out->assign(it->value.GetString(), it->value.GetStringLength());
    return true;
  };
  auto number = [&](const char* key, int* out) {
    auto it = doc.FindMember(key);
    if (it == doc.MemberEnd() || !it->value.IsInt()) return false;
    *out = it->value.GetInt();
    return true;
  };
  auto strings = [&](const char* key, std::vector<std::string>* out) {
    auto it = doc.FindMember(key);
    if (it == doc.MemberEnd() || !it->value.IsArray()) return false;
    for (const auto& v : it->value.GetArray()) {
      if (!v.IsString()) return false;
      out->emplace_back(v.GetString(), v.GetStringLength());
    }
    return true;
  };
  if (!text("uuid", &m.uuid) || !text("eventSourceArn", &m.event_source_arn) ||
      !text("functionName", &m.function_name) || !text("qualifier", &m.qualifier) ||
      !number("batchSize", &m.batch_size) ||
      !number("maximumBatchingWindowInSeconds", &m.maximum_batching_window_s) ||
      !strings("functionResponseTypes", &m.function_response_types) ||
      !strings("filterPatterns", &m.filter_patterns)) {
    return invalid;
  }
  auto enabled = doc.FindMember("enabled");
  if (enabled == doc.MemberEnd() || !enabled->value.IsBool()) return invalid;
  m.enabled = enabled->value.GetBool();
  if (doc.HasMember("maximumConcurrency")) {
    int concurrency = 0;
    if (!number("maximumConcurrency", &concurrency)) return invalid;
    m.maximum_concurrency = concurrency;
  }
  auto modified = doc.FindMember("lastModified");
  if (modified == doc.MemberEnd() || !modified->value.IsNumber()) return invalid;
  m.last_modified = modified->value.GetDouble();
  return m;
}

}  // namespace ll
