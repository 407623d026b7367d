#include "store/state_file.h"

#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "base/strings.h"

using namespace ll;

namespace {

FunctionConfig Api(const std::string& name) {
  FunctionConfig c;
  c.name = name;
  c.runtime = "python3.12";
  c.handler = "app.handler";
  c.code_dir = "/state/functions/" + name + "/abc";
  c.memory_mb = 256;
  c.timeout_s = 17;
  c.environment = {{"COLOR", "teal"}, {"QUOTE", "a \"b\"\n"}};
  c.description = "made by a test";
  c.role = "arn:aws:iam::000000000000:role/r";
  c.code_sha256 = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=";
  c.code_size = 1234;
  c.last_modified = "2024-01-02T03:04:05.678+0000";
  c.revision_id = NewRevisionId();
  c.architectures = {"arm64"};
  c.ephemeral_storage_mb = 1024;
  c.dead_letter_target_arn = "arn:aws:sqs:us-east-1:000000000000:dlq";
  c.tracing_mode = "Active";
  c.layers = {"arn:aws:lambda:us-east-1:000000000000:layer:l:1"};
  return c;
}

std::shared_ptr<const FunctionConfig> Version(const FunctionConfig& latest, int n) {
  auto v = std::make_shared<FunctionConfig>(latest);
  v->version = std::to_string(n);
  v->revision_id = NewRevisionId();
  return v;
}

void AddApiParts(FunctionRecord& rec) {
  rec.versions[1] = Version(*rec.latest, 1);
  rec.versions[3] = Version(*rec.latest, 3);
  rec.last_version = 4;  // version 4 was deleted: numbers are never reused
  rec.aliases["prod"] = AliasConfig{"prod", "1", "production", {{"3", 0.25}}, "alias-rev"};
  EventInvokeConfig eic;
  eic.maximum_retry_attempts = 1;
  eic.on_failure_arn = "arn:aws:sqs:us-east-1:000000000000:failed";
  eic.last_modified = 1700000000.5;
  rec.invoke_configs["$LATEST"] = eic;
  rec.invoke_configs["prod"].maximum_event_age_s = 60;
  rec.policy_statements["s3"] = R"({"Sid":"s3","Effect":"Allow"})";
  rec.policy_revision_id = "policy-rev";
  rec.tags = {{"team", "core"}};
  FunctionUrlConfig url;
  url.url_id = FunctionUrlId("000000000000", "us-east-1", rec.latest->name, "prod");
  url.auth_type = "AWS_IAM";
  url.invoke_mode = "RESPONSE_STREAM";
  url.cors = FunctionUrlCors{true, std::vector<std::string>{"x-h"}, std::nullopt,
                             std::vector<std::string>{"*"}, std::vector<std::string>{}, 30};
  url.creation_time = "2026-12-08T01:00:00.000Z";
  url.last_modified_time = "2026-12-08T02:00:00.000Z";
  rec.urls["prod"] = url;
}

void CheckConfigEqual(const FunctionConfig& a, const FunctionConfig& b) {
  CHECK(a.name == b.name);
  CHECK(a.logical_id == b.logical_id);
  CHECK(a.runtime == b.runtime);
  CHECK(a.handler == b.handler);
  CHECK(a.code_dir == b.code_dir);
  CHECK(a.memory_mb == b.memory_mb);
  CHECK(a.timeout_s == b.timeout_s);
  CHECK(a.environment == b.environment);
  CHECK(a.reserved_concurrency == b.reserved_concurrency);
  CHECK(a.region == b.region);
  CHECK(a.account_id == b.account_id);
  CHECK(a.version == b.version);
  CHECK(a.description == b.description);
  CHECK(a.role == b.role);
  CHECK(a.code_sha256 == b.code_sha256);
  CHECK(a.code_size == b.code_size);
  CHECK(a.last_modified == b.last_modified);
  CHECK(a.revision_id == b.revision_id);
  CHECK(a.architectures == b.architectures);
  CHECK(a.ephemeral_storage_mb == b.ephemeral_storage_mb);
  CHECK(a.dead_letter_target_arn == b.dead_letter_target_arn);
  CHECK(a.tracing_mode == b.tracing_mode);
  CHECK(a.layers == b.layers);
}

void CheckApiPartsEqual(const FunctionRecord& a, const FunctionRecord& b) {
  REQUIRE(a.versions.size() == b.versions.size());
  for (const auto& [n, v] : a.versions) {
    REQUIRE(b.versions.count(n));
    CheckConfigEqual(*v, *b.versions.at(n));
  }
  CHECK(a.last_version == b.last_version);
  REQUIRE(a.aliases.size() == b.aliases.size());
  for (const auto& [name, alias] : a.aliases) {
    const AliasConfig& other = b.aliases.at(name);
    CHECK(alias.function_version == other.function_version);
    CHECK(alias.description == other.description);
    CHECK(alias.additional_weights == other.additional_weights);
    CHECK(alias.revision_id == other.revision_id);
  }
  REQUIRE(a.invoke_configs.size() == b.invoke_configs.size());
  for (const auto& [q, c] : a.invoke_configs) {
    const EventInvokeConfig& other = b.invoke_configs.at(q);
    CHECK(c.maximum_retry_attempts == other.maximum_retry_attempts);
    CHECK(c.maximum_event_age_s == other.maximum_event_age_s);
    CHECK(c.on_success_arn == other.on_success_arn);
    CHECK(c.on_failure_arn == other.on_failure_arn);
    CHECK(c.last_modified == other.last_modified);
  }
  CHECK(a.policy_statements == b.policy_statements);
  CHECK(a.policy_revision_id == b.policy_revision_id);
  CHECK(a.tags == b.tags);
  CHECK(a.urls == b.urls);
}

struct TempDir {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("lambda-local-state-test-" + RandomHex(8));
  TempDir() { std::filesystem::create_directories(path); }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

}  // namespace

TEST_CASE("state round trip: API functions in full") {
  FunctionStore saved;
  FunctionRecord rec;
  auto latest = Api("api-fn");
  latest.reserved_concurrency = 3;
  rec.latest = std::make_shared<const FunctionConfig>(latest);
  rec.zip_path = "/state/functions/api-fn/abc.zip";
  AddApiParts(rec);
  REQUIRE(saved.Create(rec).ok());
  FunctionRecord plain;
  plain.latest = std::make_shared<const FunctionConfig>(Api("plain"));
  REQUIRE(saved.Create(plain).ok());

  TempDir dir;
  const auto file = dir.path / "state.json";
  REQUIRE(SaveState(saved, file).ok());
  FunctionStore loaded;
  REQUIRE(LoadState(&loaded, file).ok());

  auto got = loaded.Get("api-fn");
  REQUIRE(got);
  CHECK_FALSE(got->from_template);
  CHECK(got->zip_path == rec.zip_path);
  CheckConfigEqual(*got->latest, *rec.latest);
  CheckApiPartsEqual(*got, rec);
  REQUIRE(loaded.Get("plain"));
  CheckConfigEqual(*loaded.Get("plain")->latest, *plain.latest);
  CHECK(loaded.List().size() == 2);
  // Saving what was loaded gives the same file.
  CHECK(SerializeState(loaded) == SerializeState(saved));
}

TEST_CASE("state round trip: template functions keep only what the API added") {
  FunctionConfig tmpl;
  tmpl.name = "TemplateFn";
  tmpl.logical_id = "TemplateFn";
  tmpl.runtime = "python3.12";
  tmpl.handler = "app.handler";
  tmpl.code_dir = "/project/src";
  tmpl.revision_id = "template-rev";

  FunctionStore saved;
  saved.PutTemplateFunction(tmpl);
  REQUIRE(saved
              .Update("TemplateFn",
                      [](FunctionRecord& r) {
                        AddApiParts(r);
                        auto latest = std::make_shared<FunctionConfig>(*r.latest);
                        latest->reserved_concurrency = 7;
                        r.latest = latest;
                        return Status::Ok();
                      })
              .ok());
  const std::string json = SerializeState(saved);
  CHECK(json.find("/project/src\"") != std::string::npos);  // in the versions' configs only
  CHECK(json.find("\"latest\"") == std::string::npos);

  // The template changed between runs: its new settings win, the API's additions come back.
  FunctionConfig changed = tmpl;
  changed.memory_mb = 512;
  changed.revision_id = "new-template-rev";
  FunctionStore loaded;
  loaded.PutTemplateFunction(changed);
  REQUIRE(DeserializeState(&loaded, json).ok());
  auto got = loaded.Get("TemplateFn");
  REQUIRE(got);
  CHECK(got->from_template);
  CHECK(got->latest->memory_mb == 512);
  CHECK(got->latest->revision_id == "new-template-rev");
  CHECK(got->latest->reserved_concurrency == 7);
  CheckApiPartsEqual(*got, *saved.Get("TemplateFn"));
}

TEST_CASE("state loading lets the template win") {
  FunctionStore saved;
  FunctionRecord rec;
  rec.latest = std::make_shared<const FunctionConfig>(Api("Shared"));
  REQUIRE(saved.Create(rec).ok());
  FunctionConfig gone;
  gone.name = "Gone";
  gone.revision_id = "r";
  saved.PutTemplateFunction(gone);
  REQUIRE(saved
              .Update("Gone",
                      [](FunctionRecord& r) {
                        r.tags["a"] = "b";
                        return Status::Ok();
                      })
              .ok());
  const std::string json = SerializeState(saved);

  FunctionStore loaded;
  FunctionConfig shared;
  shared.name = "Shared";
  shared.runtime = "nodejs20.x";
  loaded.PutTemplateFunction(shared);
  REQUIRE(DeserializeState(&loaded, json).ok());
  // An API function whose name the template now uses is dropped; a template function the
  // template no longer defines does not come back.
  REQUIRE(loaded.Get("Shared"));
  CHECK(loaded.Get("Shared")->latest->runtime == "nodejs20.x");
  CHECK(loaded.Get("Shared")->from_template);
  CHECK_FALSE(loaded.Get("Gone"));
}

TEST_CASE("bad state files are refused with a reason") {
  FunctionStore store;
  Status s = DeserializeState(&store, "{not json");
  CHECK(s.code() == "StateFileInvalid");
  CHECK(DeserializeState(&store, R"({"format": 99, "functions": []})").code() ==
        "StateFileInvalid");
  CHECK(DeserializeState(&store, R"({"format": 1})").code() == "StateFileInvalid");
  CHECK(DeserializeState(&store, R"({"format": 1, "functions": []})").ok());

  TempDir dir;
  CHECK(LoadState(&store, dir.path / "missing.json").ok());
  { std::ofstream(dir.path / "broken.json") << "[]"; }
  Status broken = LoadState(&store, dir.path / "broken.json");
  CHECK(broken.code() == "StateFileInvalid");
  CHECK(broken.message().find("broken.json") != std::string::npos);
}

TEST_CASE("saving replaces the file atomically and leaves no temp files") {
  TempDir dir;
  const auto file = dir.path / "state.json";
  FunctionStore store;
  for (int i = 0; i < 5; ++i) {
    FunctionRecord rec;
    rec.latest = std::make_shared<const FunctionConfig>(Api("f" + std::to_string(i)));
    REQUIRE(store.Create(rec).ok());
    REQUIRE(SaveState(store, file).ok());
  }
  int entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path)) ++entries;
  CHECK(entries == 1);
  FunctionStore loaded;
  REQUIRE(LoadState(&loaded, file).ok());
  CHECK(loaded.List().size() == 5);
}
