// The store on disk, so functions created through the API survive a restart: every function
// that is not from the template in full (latest, versions, aliases, event-invoke configs, policy,
// tags, package path), and for template functions only what the API added to them (versions,
// aliases, event-invoke configs, policy, tags, reserved concurrency), keyed by name.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "base/status.h"
#include "store/function_store.h"

namespace ll {

// Writes the whole store to `file` atomically (a temp file renamed over it): a crash leaves the
// old state or the new one. Thread-safe; concurrent saves are serialized, and since each takes
// its snapshot under that lock the last one written is the newest.
Status SaveState(const FunctionStore& store, const std::filesystem::path& file);

// Adds what `file` holds to `store`, after the template functions were put into it. A template
// function the template no longer defines is dropped; an API function whose name the template
// now uses is dropped (the template wins). StateFileInvalid when the file cannot be read.
Status LoadState(FunctionStore* store, const std::filesystem::path& file);

// The JSON SaveState writes, and its inverse, for tests.
std::string SerializeState(const FunctionStore& store);
Status DeserializeState(FunctionStore* store, const std::string& json);

// One function's entry of that JSON (compact), as the state store keeps it per function.
std::string SerializeFunction(const FunctionRecord& rec);
// Adds one entry to `store` by LoadState's rules: false when it no longer applies (the template
// took its name, or it was a template function the template no longer defines).
// StateFileInvalid when it is not an entry.
Result<bool> DeserializeFunction(FunctionStore* store, std::string_view json);

}  // namespace ll
