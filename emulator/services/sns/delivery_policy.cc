#include "services/sns/delivery_policy.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cmath>

#include "base/json_parse.h"
#include "services/sns/sns_errors.h"

namespace ll::sns {
namespace {

Status PolicyError(std::string_view why) {
  return InvalidParameter("DeliveryPolicy: " + std::string(why));
}

// Reads a healthyRetryPolicy object into `out`; fields absent keep their value.
Status ReadRetryPolicy(const rapidjson::Value& v, RetryPolicy& out) {
  if (!v.IsObject()) return PolicyError("healthyRetryPolicy must be an object");
  struct Field {
    const char* name;
    int* target;
    int min;
    int max;
  } fields[] = {
      {"numRetries", &out.num_retries, 0, 100},
      {"numNoDelayRetries", &out.num_no_delay_retries, 0, 100},
      {"numMinDelayRetries", &out.num_min_delay_retries, 0, 100},
      {"numMaxDelayRetries", &out.num_max_delay_retries, 0, 100},
      {"minDelayTarget", &out.min_delay_target_s, 1, 3600},
      {"maxDelayTarget", &out.max_delay_target_s, 1, 3600},
  };
  for (const Field& f : fields) {
    auto it = v.FindMember(f.name);
    if (it == v.MemberEnd()) continue;
    if (!it->value.IsInt() || it->value.GetInt() < f.min || it->value.GetInt() > f.max) {
      return PolicyError(std::string(f.name) + " must be an integer from " +
                         std::to_string(f.min) + " to " + std::to_string(f.max));
    }
    *f.target = it->value.GetInt();
  }
  if (auto it = v.FindMember("backoffFunction"); it != v.MemberEnd()) {
    if (!it->value.IsString()) return PolicyError("backoffFunction must be a string");
    std::string f = it->value.GetString();
    if (f != "linear" && f != "arithmetic" && f != "geometric" && f != "exponential") {
      return PolicyError("backoffFunction must be linear, arithmetic, geometric or exponential");
    }
    out.backoff_function = f;
  }
  if (out.min_delay_target_s > out.max_delay_target_s) {
    return PolicyError("minDelayTarget must not be greater than maxDelayTarget");
  }
  if (out.num_no_delay_retries + out.num_min_delay_retries + out.num_max_delay_retries >
      out.num_retries) {
    return PolicyError(
        "numNoDelayRetries + numMinDelayRetries + numMaxDelayRetries must not be greater than "
        "numRetries");
  }
  // AWS: the retries of one delivery may not take longer than an hour in all.
  std::chrono::milliseconds total{0};
  for (auto d : RetryDelays(out)) total += d;
  if (total > std::chrono::hours(1)) return PolicyError("the retries would take over 3600 seconds");
  return Status::Ok();
}

bool Parse(std::string_view json, rapidjson::Document& doc) {
  (void)ParseJson(doc, json);
  return !doc.HasParseError() && doc.IsObject();
}

// The topic policy's http section, or null.
const rapidjson::Value* HttpSection(const rapidjson::Document& doc) {
  auto it = doc.FindMember("http");
  if (it == doc.MemberEnd() || !it->value.IsObject()) return nullptr;
  return &it->value;
}

}  // namespace

Status ValidateTopicDeliveryPolicy(std::string_view json) {
  rapidjson::Document doc;
  if (!Parse(json, doc)) return PolicyError("the policy is not a JSON object");
  if (const rapidjson::Value* http = HttpSection(doc)) {
    RetryPolicy p;
    if (auto it = http->FindMember("defaultHealthyRetryPolicy"); it != http->MemberEnd()) {
      if (Status s = ReadRetryPolicy(it->value, p); !s.ok()) return s;
    }
  }
  return Status::Ok();
}

Status ValidateSubscriptionDeliveryPolicy(std::string_view json) {
  rapidjson::Document doc;
  if (!Parse(json, doc)) return PolicyError("the policy is not a JSON object");
  if (auto it = doc.FindMember("throttlePolicy"); it != doc.MemberEnd() && !it->value.IsNull()) {
    auto per_second = it->value.IsObject() ? it->value.FindMember("maxReceivesPerSecond")
                                           : it->value.MemberEnd();
    if (!it->value.IsObject() || it->value.MemberCount() != 1 || per_second == it->value.MemberEnd() ||
        !per_second->value.IsInt() || per_second->value.GetInt() < 1) {
      return PolicyError("throttlePolicy must be {\"maxReceivesPerSecond\": a positive integer}");
    }
  }
  RetryPolicy p;
  if (auto it = doc.FindMember("healthyRetryPolicy"); it != doc.MemberEnd()) {
    return ReadRetryPolicy(it->value, p);
  }
  return Status::Ok();
}

std::optional<int> MaxReceivesPerSecond(std::string_view subscription_policy) {
  rapidjson::Document doc;
  if (subscription_policy.empty() || !Parse(subscription_policy, doc)) return std::nullopt;
  auto it = doc.FindMember("throttlePolicy");
  if (it == doc.MemberEnd() || !it->value.IsObject()) return std::nullopt;
  auto per_second = it->value.FindMember("maxReceivesPerSecond");
  if (per_second == it->value.MemberEnd() || !per_second->value.IsInt()) return std::nullopt;
  return per_second->value.GetInt();
}

RetryPolicy EffectiveRetryPolicy(std::string_view topic_policy, std::string_view subscription_policy) {
  RetryPolicy policy;
  bool overrides_allowed = true;
  rapidjson::Document topic;
  if (!topic_policy.empty() && Parse(topic_policy, topic)) {
    if (const rapidjson::Value* http = HttpSection(topic)) {
      if (auto it = http->FindMember("defaultHealthyRetryPolicy"); it != http->MemberEnd()) {
        RetryPolicy p;
        if (ReadRetryPolicy(it->value, p).ok()) policy = p;
      }
      if (auto it = http->FindMember("disableSubscriptionOverrides");
          it != http->MemberEnd() && it->value.IsBool()) {
        overrides_allowed = !it->value.GetBool();
      }
    }
  }
  rapidjson::Document sub;
  if (overrides_allowed && !subscription_policy.empty() && Parse(subscription_policy, sub)) {
    if (auto it = sub.FindMember("healthyRetryPolicy"); it != sub.MemberEnd()) {
      RetryPolicy p;
      if (ReadRetryPolicy(it->value, p).ok()) policy = p;
    }
  }
  return policy;
}

std::string EffectiveTopicDeliveryPolicy(std::string_view topic_policy) {
  RetryPolicy p = EffectiveRetryPolicy(topic_policy, "");
  bool disable = false;
  rapidjson::Document topic;
  if (!topic_policy.empty() && Parse(topic_policy, topic)) {
    if (const rapidjson::Value* http = HttpSection(topic)) {
      auto it = http->FindMember("disableSubscriptionOverrides");
      if (it != http->MemberEnd() && it->value.IsBool()) disable = it->value.GetBool();
    }
  }
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("http");
  w.StartObject();
  w.Key("defaultHealthyRetryPolicy");
  w.StartObject();
  w.Key("minDelayTarget"); w.Int(p.min_delay_target_s);
  w.Key("maxDelayTarget"); w.Int(p.max_delay_target_s);
  w.Key("numRetries"); w.Int(p.num_retries);
  w.Key("numMaxDelayRetries"); w.Int(p.num_max_delay_retries);
  w.Key("numNoDelayRetries"); w.Int(p.num_no_delay_retries);
  w.Key("numMinDelayRetries"); w.Int(p.num_min_delay_retries);
  w.Key("backoffFunction"); w.String(p.backoff_function.c_str());
  w.EndObject();
  w.Key("disableSubscriptionOverrides"); w.Bool(disable);
  w.Key("defaultRequestPolicy");
  w.StartObject();
  w.Key("headerContentType"); w.String("text/plain; charset=UTF-8");
  w.EndObject();
  w.EndObject();
  w.EndObject();
  return buf.GetString();
}

std::vector<std::chrono::milliseconds> RetryDelays(const RetryPolicy& p) {
  using std::chrono::milliseconds;
  std::vector<milliseconds> out;
  for (int i = 0; i < p.num_no_delay_retries; ++i) out.push_back(milliseconds(0));
  const double min_ms = p.min_delay_target_s * 1000.0;
  const double max_ms = p.max_delay_target_s * 1000.0;
  for (int i = 0; i < p.num_min_delay_retries; ++i) out.push_back(milliseconds(int64_t(min_ms)));
  const int backoff = p.num_retries - p.num_no_delay_retries - p.num_min_delay_retries -
                      p.num_max_delay_retries;
  for (int i = 1; i <= backoff; ++i) {
    const double f = double(i) / backoff;  // reaches the maximum on the last backoff retry
    double d;
    if (p.backoff_function == "exponential") {
      d = min_ms * std::pow(max_ms / min_ms, f);
    } else if (p.backoff_function == "geometric") {
      d = min_ms + (max_ms - min_ms) * f * f;
    } else if (p.backoff_function == "arithmetic") {
      d = min_ms + (max_ms - min_ms) * f * (f + 1) / 2;
    } else {
      d = min_ms + (max_ms - min_ms) * f;
    }
    out.push_back(milliseconds(int64_t(d)));
  }
  for (int i = 0; i < p.num_max_delay_retries; ++i) out.push_back(milliseconds(int64_t(max_ms)));
  return out;
}

}  // namespace ll::sns
