#include "store/function_state.h"

#include <filesystem>
#include <map>

#include <catch2/catch.hpp>

#include "base/strings.h"
#include "store/state_file.h"

using namespace ll;

namespace {

struct TempDir {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("lambda-local-fn-state-test-" + RandomHex(8));
  TempDir() { std::filesystem::create_directories(path); }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

FunctionRecord ApiFunction(const std::string& name, const std::string& runtime = "python3.12") {
  auto c = std::make_shared<FunctionConfig>();
  c->name = name;
  c->runtime = runtime;
  c->handler = "app.handler";
  c->revision_id = NewRevisionId();
  FunctionRecord rec;
  rec.latest = c;
  rec.zip_path = "/state/" + name + ".zip";
  return rec;
}

FunctionConfig TemplateFunction(const std::string& name) {
  FunctionConfig c;
  c.name = name;
  c.runtime = "nodejs20.x";
  c.revision_id = NewRevisionId();
  return c;
}

std::map<std::string, std::string> Rows(StateStore& store) {
  std::map<std::string, std::string> rows;
  REQUIRE(store.Section(FunctionState::kSection)
              .ForEach([&](std::string_view k, std::string_view v) { rows.emplace(k, v); })
              .ok());
  return rows;
}

std::unique_ptr<StateStore> Open(const std::filesystem::path& file) {
  auto store = StateStore::Open(file);
  INFO(store.status().message());
  REQUIRE(store.ok());
  return std::move(*store);
}

}  // namespace

TEST_CASE("function state: one row per function, written as each changes", "[store]") {
  TempDir dir;
  const auto file = dir.path / "state.db";
  {
    auto store = Open(file);
    FunctionStore functions;
    functions.PutTemplateFunction(TemplateFunction("Tmpl"));
    FunctionState state(store.get(), &functions);
    REQUIRE(state.Load(dir.path / "state.json").ok());
    functions.set_on_change([&](const std::string& name) { REQUIRE(state.Save(name).ok()); });

    REQUIRE(functions.Create(ApiFunction("api")).ok());
    REQUIRE(functions.Create(ApiFunction("doomed")).ok());
    REQUIRE(functions
                .Update("Tmpl",
                        [](FunctionRecord& r) {
                          r.tags["team"] = "core";
                          return Status::Ok();
                        })
                .ok());
    REQUIRE(functions.Delete("doomed").ok());
    auto rows = Rows(*store);
    CHECK(rows.size() == 2);
    CHECK(rows.at("api") == SerializeFunction(*functions.Get("api")));
    CHECK(rows.at("Tmpl").find("\"from_template\":true") != std::string::npos);
  }
  auto store = Open(file);
  FunctionStore functions;
  functions.PutTemplateFunction(TemplateFunction("Tmpl"));
  FunctionState state(store.get(), &functions);
  REQUIRE(state.Load(dir.path / "state.json").ok());
  REQUIRE(functions.Get("api"));
  CHECK(functions.Get("api")->zip_path == "/state/api.zip");
  CHECK(functions.Get("Tmpl")->tags.at("team") == "core");
  CHECK_FALSE(functions.Get("doomed"));
}

TEST_CASE("function state: rows the template overrides are dropped at load", "[store]") {
  TempDir dir;
  const auto file = dir.path / "state.db";
  {
    auto store = Open(file);
    FunctionStore functions;
    functions.PutTemplateFunction(TemplateFunction("Gone"));
    FunctionState state(store.get(), &functions);
    REQUIRE(state.Load({}).ok());
    functions.set_on_change([&](const std::string& name) { REQUIRE(state.Save(name).ok()); });
    REQUIRE(functions.Create(ApiFunction("Shared")).ok());
    REQUIRE(functions.Update("Gone", [](FunctionRecord&) { return Status::Ok(); }).ok());
    CHECK(Rows(*store).size() == 2);
  }
  auto store = Open(file);
  FunctionStore functions;
  functions.PutTemplateFunction(TemplateFunction("Shared"));
  FunctionState state(store.get(), &functions);
  REQUIRE(state.Load({}).ok());
  CHECK(functions.Get("Shared")->from_template);
  CHECK_FALSE(functions.Get("Gone"));
  CHECK(Rows(*store).empty());
}

TEST_CASE("function state: a state.json from an earlier lambda-local is imported once", "[store]") {
  TempDir dir;
  const auto json = dir.path / "state.json";
  {
    FunctionStore old;
    REQUIRE(old.Create(ApiFunction("legacy")).ok());
    REQUIRE(SaveState(old, json).ok());
  }
  {
    auto store = Open(dir.path / "state.db");
    FunctionStore functions;
    FunctionState state(store.get(), &functions);
    REQUIRE(state.Load(json).ok());
    CHECK(functions.Get("legacy"));
    CHECK(Rows(*store).count("legacy"));
  }
  CHECK_FALSE(std::filesystem::exists(json));
  CHECK(std::filesystem::exists(dir.path / "state.json.imported"));
  auto store = Open(dir.path / "state.db");
  FunctionStore functions;
  FunctionState state(store.get(), &functions);
  REQUIRE(state.Load(json).ok());
  CHECK(functions.Get("legacy"));
}

TEST_CASE("function state: a broken row stops the start with its name", "[store]") {
  TempDir dir;
  auto store = Open(dir.path / "state.db");
  REQUIRE(store->Section(FunctionState::kSection).Put("bad", "{not json").ok());
  FunctionStore functions;
  FunctionState state(store.get(), &functions);
  Status s = state.Load({});
  CHECK(s.code() == "StateStoreInvalid");
  CHECK(s.message().find("\"bad\"") != std::string::npos);
}

TEST_CASE("function state: a disabled store keeps nothing", "[store]") {
  auto store = StateStore::Disabled();
  FunctionStore functions;
  FunctionState state(store.get(), &functions);
  REQUIRE(state.Load({}).ok());
  REQUIRE(functions.Create(ApiFunction("f")).ok());
  REQUIRE(state.Save("f").ok());
}
