#include "store/function_store.h"

#include <set>

#include <catch2/catch.hpp>

using namespace ll;

namespace {

std::shared_ptr<const FunctionConfig> Config(const std::string& name, const std::string& version) {
  auto c = std::make_shared<FunctionConfig>();
  c->name = name;
  c->version = version;
  c->revision_id = NewRevisionId();
  return c;
}

}  // namespace

TEST_CASE("qualifiers resolve to versions and aliases") {
  FunctionStore store;
  FunctionRecord rec;
  rec.latest = Config("f", "$LATEST");
  rec.versions[1] = Config("f", "1");
  rec.versions[2] = Config("f", "2");
  rec.last_version = 2;
  rec.aliases["prod"] = AliasConfig{"prod", "1", "", {}, "r"};
  rec.aliases["canary"] = AliasConfig{"canary", "1", "", {{"2", 0.5}}, "r"};
  rec.invoke_configs["prod"].maximum_retry_attempts = 0;
  REQUIRE(store.Create(rec).ok());

  CHECK(store.Resolve("f", "")->executed_version == "$LATEST");
  CHECK(store.Resolve("f", "$LATEST")->executed_version == "$LATEST");
  CHECK(store.Resolve("f", "2")->executed_version == "2");
  auto prod = store.Resolve("f", "prod");
  REQUIRE(prod.ok());
  CHECK(prod->executed_version == "1");
  CHECK(prod->invoke_config.maximum_retry_attempts == 0);

  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) seen.insert(store.Resolve("f", "canary")->executed_version);
  CHECK(seen == std::set<std::string>{"1", "2"});

  auto missing = store.Resolve("f", "7");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == "ResourceNotFoundException");
  CHECK(missing.status().message() ==
        "Function not found: arn:aws:lambda:us-east-1:000000000000:function:f:7");
  CHECK_FALSE(store.Resolve("nope", "").ok());
}

TEST_CASE("create conflicts and refused updates change nothing") {
  FunctionStore store;
  int changes = 0;
  store.set_on_change([&](const std::string&) { ++changes; });
  FunctionRecord rec;
  rec.latest = Config("f", "$LATEST");
  REQUIRE(store.Create(rec).ok());
  auto again = store.Create(rec);
  CHECK(again.code() == "ResourceConflictException");
  Status refused = store.Update("f", [](FunctionRecord& r) {
    r.tags["a"] = "b";
    return Status::Error("PreconditionFailedException", "no");
  });
  CHECK_FALSE(refused.ok());
  CHECK(store.Get("f")->tags.empty());
  CHECK(changes == 1);
  REQUIRE(store.Delete("f").ok());
  CHECK_FALSE(store.Get("f"));
}

TEST_CASE("function store: a URL id finds its function and qualifier until either goes") {
  FunctionStore store;
  FunctionRecord rec;
  rec.latest = Config("f", "$LATEST");
  FunctionUrlConfig url;
  url.url_id = FunctionUrlId("000000000000", "us-east-1", "f", "");
  rec.urls[""] = url;
  REQUIRE(store.Create(rec).ok());
  auto found = store.FindUrl(url.url_id);
  REQUIRE(found);
  CHECK(found->function == "f");
  CHECK(found->qualifier == "");
  CHECK_FALSE(store.FindUrl("00000000000000000000000000000000"));

  // Another qualifier's URL has another id; removing one URL leaves the other.
  FunctionUrlConfig live = url;
  live.url_id = FunctionUrlId("000000000000", "us-east-1", "f", "live");
  CHECK(live.url_id != url.url_id);
  REQUIRE(store.Update("f", [&](FunctionRecord& r) {
    r.urls["live"] = live;
    r.urls.erase("");
    return Status::Ok();
  }).ok());
  CHECK_FALSE(store.FindUrl(url.url_id));
  REQUIRE(store.FindUrl(live.url_id));
  CHECK(store.FindUrl(live.url_id)->qualifier == "live");

  REQUIRE(store.Delete("f").ok());
  CHECK_FALSE(store.FindUrl(live.url_id));
}
