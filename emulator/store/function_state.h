// FunctionState: keeps the FunctionStore in the state store, one row per function (section
// "lambda.functions", key the function name, value its entry as SerializeFunction writes it),
// so a change to one function rewrites one row. What is kept is what state_file.h describes:
// API functions in full, and what the API added to template functions.
//
// Thread-safety: Save is thread-safe; Load runs once, before the store serves.
#pragma once

#include <filesystem>
#include <mutex>
#include <string>

#include "base/status.h"
#include "store/function_store.h"
#include "store/state_store.h"

namespace ll {

class FunctionState {
 public:
  static constexpr char kSection[] = "lambda.functions";

  // Both outlive this object.
  FunctionState(StateStore* store, FunctionStore* functions);

  // Adds the kept functions to the FunctionStore, after the template functions were put into
  // it (the template wins, as in LoadState); rows that no longer apply are deleted. A
  // `legacy_file` (state.json of an earlier lambda-local) is imported once: its functions are
  // written to the store, then it is renamed to <name>.imported.
  Status Load(const std::filesystem::path& legacy_file);

  // Writes `name`'s row as the function is now, or deletes it when the function is gone.
  // Returns once committed. Concurrent saves of one function commit in the order of their
  // snapshots, so the row ends as the newest.
  Status Save(const std::string& name);

 private:
  Status Import(const std::filesystem::path& legacy_file);

  StateStore* const store_;
  FunctionStore* const functions_;
  const StateSection section_;
  std::mutex save_mu_;  // held from a snapshot to its enqueue, never while waiting for the disk
};

}  // namespace ll
