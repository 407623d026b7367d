#include "store/function_state.h"

#include <utility>
#include <vector>

#include <fmt/format.h>

#include "store/state_file.h"

namespace ll {

FunctionState::FunctionState(StateStore* store, FunctionStore* functions)
    : store_(store), functions_(functions), section_(store->Section(kSection)) {}

Status FunctionState::Load(const std::filesystem::path& legacy_file) {
  if (!section_.enabled()) return Status::Ok();
  std::vector<std::pair<std::string, std::string>> rows;
  Status s = section_.ForEach([&](std::string_view key, std::string_view value) {
    rows.emplace_back(key, value);
  });
  if (!s.ok()) return s;
  std::error_code ec;
  const bool legacy = !legacy_file.empty() && std::filesystem::exists(legacy_file, ec);
  // No rows and a state.json: the first start after an upgrade. (Rows and a state.json: an
  // import committed just before a crash; the rows are the newer.)
  if (legacy && rows.empty()) return Import(legacy_file);

  StateBatch stale;
  for (const auto& [name, json] : rows) {
    Result<bool> applied = DeserializeFunction(functions_, json);
    if (!applied.ok()) {
      return Status::Error("StateStoreInvalid",
                           fmt::format("state database {}: {} row \"{}\": {} (move the file away "
                                       "to start afresh)",
                                       store_->file().string(), kSection, name,
                                       applied.status().message()));
    }
    if (!*applied) stale.Delete(section_, name);
  }
  if (Status s = store_->Commit(std::move(stale)); !s.ok()) return s;
  if (legacy) {
    std::filesystem::path imported = legacy_file;
    imported += ".imported";
    std::filesystem::rename(legacy_file, imported, ec);
  }
  return Status::Ok();
}

Status FunctionState::Import(const std::filesystem::path& legacy_file) {
  if (Status s = LoadState(functions_, legacy_file); !s.ok()) return s;
  StateBatch batch;
  for (const FunctionRecord& rec : functions_->List()) {
    batch.Put(section_, rec.latest->name, SerializeFunction(rec));
  }
  if (Status s = store_->Commit(std::move(batch)); !s.ok()) return s;
  // Only once the functions are committed: a crash before this imports again.
  std::filesystem::path imported = legacy_file;
  imported += ".imported";
  std::error_code ec;
  std::filesystem::rename(legacy_file, imported, ec);
  if (ec) {
    return Status::Error("StateNotSaved", fmt::format("imported {} but cannot rename it: {}",
                                                      legacy_file.string(), ec.message()));
  }
  return Status::Ok();
}

Status FunctionState::Save(const std::string& name) {
  if (!section_.enabled()) return Status::Ok();
  StateStore::Ticket ticket;
  {
    std::lock_guard lock(save_mu_);
    StateBatch batch;
    if (std::optional<FunctionRecord> rec = functions_->Get(name)) {
      batch.Put(section_, name, SerializeFunction(*rec));
    } else {
      batch.Delete(section_, name);
    }
    ticket = store_->Enqueue(std::move(batch));
  }
  return store_->Wait(ticket);
}

}  // namespace ll
