#include "store/function_store.h"

#include <chrono>
#include <ctime>
#include <random>

#include <fmt/format.h>

#include "base/strings.h"
#include "model/error_names.h"

namespace ll {
namespace {

Status NotFound(const FunctionConfig* any, const std::string& name, const std::string& qualifier,
                const std::string& region = "us-east-1", const std::string& account = "000000000000") {
  std::string arn = any ? any->Arn()
                        : fmt::format("arn:aws:lambda:{}:{}:function:{}", region, account, name);
  if (!qualifier.empty()) arn += ":" + qualifier;
  return Status::Error(errors::kResourceNotFound, "Function not found: " + arn);
}

bool IsNumber(const std::string& s) {
  if (s.empty() || s.size() > 9) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

std::string NewRevisionId() { return NewUuid(); }

std::string NowLastModified() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t secs = ms / 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}+0000", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms % 1000);
}

Status FunctionStore::Create(FunctionRecord record) {
  const std::string name = record.latest->name;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (functions_.count(name)) {
      return Status::Error(errors::kResourceConflict, "Function already exist: " + name);
    }
    auto it = functions_.emplace(name, std::move(record)).first;
    IndexUrlsLocked(name, &it->second);
  }
  if (on_change_) on_change_(name);
  return Status::Ok();
}

void FunctionStore::PutTemplateFunction(const FunctionConfig& config) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& rec = functions_[config.name];
  rec.latest = std::make_shared<const FunctionConfig>(config);
  rec.from_template = true;
}

std::optional<FunctionRecord> FunctionStore::Get(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = functions_.find(name);
  if (it == functions_.end()) return std::nullopt;
  return it->second;
}

std::vector<FunctionRecord> FunctionStore::List() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<FunctionRecord> out;
  out.reserve(functions_.size());
  for (const auto& [name, rec] : functions_) out.push_back(rec);
  return out;
}

Status FunctionStore::Update(const std::string& name,
                             const std::function<Status(FunctionRecord&)>& mutate) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = functions_.find(name);
    if (it == functions_.end()) return NotFound(nullptr, name, "");
    // Mutate a copy, so a refused change leaves nothing half-done.
    FunctionRecord copy = it->second;
    Status s = mutate(copy);
    if (!s.ok()) return s;
    it->second = std::move(copy);
    IndexUrlsLocked(name, &it->second);
  }
  if (on_change_) on_change_(name);
  return Status::Ok();
}

Status FunctionStore::Delete(const std::string& name) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (functions_.erase(name) == 0) return NotFound(nullptr, name, "");
    IndexUrlsLocked(name, nullptr);
  }
  if (on_change_) on_change_(name);
  return Status::Ok();
}

void FunctionStore::IndexUrlsLocked(const std::string& name, const FunctionRecord* rec) {
  std::erase_if(url_index_, [&](const auto& entry) { return entry.second.first == name; });
  if (!rec) return;
  for (const auto& [qualifier, url] : rec->urls) url_index_[url.url_id] = {name, qualifier};
}

std::optional<FunctionUrlTarget> FunctionStore::FindUrl(std::string_view url_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = url_index_.find(url_id);
  if (it == url_index_.end()) return std::nullopt;
  auto fn = functions_.find(it->second.first);
  if (fn == functions_.end()) return std::nullopt;
  auto url = fn->second.urls.find(it->second.second);
  if (url == fn->second.urls.end()) return std::nullopt;
  return FunctionUrlTarget{it->second.first, it->second.second, url->second};
}

Result<ResolvedFunction> FunctionStore::Resolve(const std::string& name,
                                                const std::string& qualifier) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = functions_.find(name);
  if (it == functions_.end()) return NotFound(nullptr, name, qualifier);
  const FunctionRecord& rec = it->second;
  ResolvedFunction out;
  out.qualifier = qualifier;
  out.reserved_concurrency = rec.latest->reserved_concurrency;

  auto version_config = [&](const std::string& v) -> std::shared_ptr<const FunctionConfig> {
    if (v == "$LATEST") return rec.latest;
    if (!IsNumber(v)) return nullptr;
    auto vit = rec.versions.find(std::stoi(v));
    return vit == rec.versions.end() ? nullptr : vit->second;
  };

  if (qualifier.empty() || qualifier == "$LATEST" || IsNumber(qualifier)) {
    out.config = version_config(qualifier.empty() ? "$LATEST" : qualifier);
    if (!out.config) return NotFound(rec.latest.get(), name, qualifier);
  } else {
    auto ait = rec.aliases.find(qualifier);
    if (ait == rec.aliases.end()) return NotFound(rec.latest.get(), name, qualifier);
    const AliasConfig& alias = ait->second;
    std::string chosen = alias.function_version;
    if (!alias.additional_weights.empty()) {
      thread_local std::mt19937 rng(std::random_device{}());
      double r = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
      double acc = 0;
      for (const auto& [v, w] : alias.additional_weights) {
        acc += w;
        if (r < acc) {
          chosen = v;
          break;
        }
      }
    }
    out.config = version_config(chosen);
    if (!out.config) return NotFound(rec.latest.get(), name, qualifier);
  }
  out.executed_version = out.config->version;
  const std::string key = qualifier.empty() ? "$LATEST" : qualifier;
  if (auto cit = rec.invoke_configs.find(key); cit != rec.invoke_configs.end()) {
    out.invoke_config = cit->second;
  }
  return out;
}

}  // namespace ll
