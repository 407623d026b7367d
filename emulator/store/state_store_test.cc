#include "store/state_store.h"

#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "base/strings.h"

using namespace ll;

namespace {

struct TempDir {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("lambda-local-store-test-" + RandomHex(8));
  TempDir() { std::filesystem::create_directories(path); }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

std::unique_ptr<StateStore> OpenOrDie(const std::filesystem::path& file) {
  auto store = StateStore::Open(file);
  INFO(store.status().message());
  REQUIRE(store.ok());
  return std::move(*store);
}

std::map<std::string, std::string> All(const StateSection& section, std::string_view prefix = "") {
  std::map<std::string, std::string> out;
  std::vector<std::string> order;
  REQUIRE(section
              .Scan(prefix,
                    [&](std::string_view key, std::string_view value) {
                      order.emplace_back(key);
                      out.emplace(key, value);
                    })
              .ok());
  CHECK(std::is_sorted(order.begin(), order.end()));
  CHECK(order.size() == out.size());
  return out;
}

// Runs SQL on the database through a second connection, as another program would.
void Sql(const std::filesystem::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
  char* error = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  INFO((error ? error : ""));
  sqlite3_free(error);
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_OK);
}

}  // namespace

TEST_CASE("state store: sections keep keys apart and scan in key order", "[store]") {
  TempDir dir;
  auto store = OpenOrDie(dir.path / "state.db");
  StateSection a = store->Section("test.a");
  StateSection b = store->Section("test.b");
  CHECK(a.enabled());
  CHECK(a.name() == "test.a");
  REQUIRE(a.Put("q1/2", "two").ok());
  REQUIRE(a.Put("q1/1", "one").ok());
  REQUIRE(a.Put("q2/1", std::string("bin\0ary", 7)).ok());
  REQUIRE(a.Put("q1/3", "").ok());  // an empty value is a value
  REQUIRE(b.Put("q1/1", "other section").ok());

  CHECK(All(a) == std::map<std::string, std::string>{{"q1/1", "one"},
                                                     {"q1/2", "two"},
                                                     {"q1/3", ""},
                                                     {"q2/1", std::string("bin\0ary", 7)}});
  CHECK(All(a, "q1/") == std::map<std::string, std::string>{{"q1/1", "one"}, {"q1/2", "two"},
                                                            {"q1/3", ""}});
  CHECK(All(b) == std::map<std::string, std::string>{{"q1/1", "other section"}});

  REQUIRE(a.Put("q1/1", "replaced").ok());
  REQUIRE(a.Delete("q1/2").ok());
  REQUIRE(a.Delete("never there").ok());
  CHECK(All(a, "q1/") == std::map<std::string, std::string>{{"q1/1", "replaced"}, {"q1/3", ""}});
  REQUIRE(a.DeletePrefix("q1/").ok());
  CHECK(All(a) == std::map<std::string, std::string>{{"q2/1", std::string("bin\0ary", 7)}});
  CHECK(All(b).size() == 1);
  REQUIRE(a.DeletePrefix("").ok());
  CHECK(All(a).empty());
  CHECK(All(b).size() == 1);
}

TEST_CASE("state store: prefixes with 0xff bytes and long scans", "[store]") {
  TempDir dir;
  auto store = OpenOrDie(dir.path / "state.db");
  StateSection s = store->Section("test.bytes");
  const std::string ff = "\xff\xff";
  REQUIRE(s.Put(ff + "a", "1").ok());
  REQUIRE(s.Put(ff, "2").ok());
  REQUIRE(s.Put("\xfe", "3").ok());
  CHECK(All(s, ff).size() == 2);
  CHECK(All(s, "\xfe").size() == 1);
  REQUIRE(s.DeletePrefix(ff).ok());
  CHECK(All(s).size() == 1);

  // More rows than one read chunk; the visitor may write to the store as it goes.
  StateBatch batch;
  for (int i = 0; i < 1500; ++i) batch.Put(s, fmt::format("k/{:05}", i), std::to_string(i));
  REQUIRE(store->Commit(std::move(batch)).ok());
  StateSection copies = store->Section("test.copies");
  int seen = 0;
  REQUIRE(s.Scan("k/",
                 [&](std::string_view key, std::string_view value) {
                   CHECK(key == fmt::format("k/{:05}", seen));
                   CHECK(value == std::to_string(seen));
                   ++seen;
                   REQUIRE(copies.Put(key, value).ok());
                 })
              .ok());
  CHECK(seen == 1500);
  CHECK(All(copies).size() == 1500);
}

TEST_CASE("state store: a batch commits atomically", "[store]") {
  TempDir dir;
  const auto file = dir.path / "state.db";
  auto store = OpenOrDie(file);
  StateSection messages = store->Section("test.messages");
  StateSection queues = store->Section("test.queues");
  REQUIRE(messages.Put("old", "x").ok());

  StateBatch batch;
  batch.Put(queues, "q", "queue");
  batch.Put(messages, "m1", "one");
  batch.Delete(messages, "old");
  batch.Put(messages, "m2", "two");
  batch.Put(messages, "m1", "one again");  // later changes win
  CHECK(batch.size() == 5);
  REQUIRE(store->Commit(std::move(batch)).ok());
  CHECK(All(messages) == std::map<std::string, std::string>{{"m1", "one again"}, {"m2", "two"}});
  CHECK(All(queues).size() == 1);

  // Another program makes one change of the next batch fail: none of the batch is kept.
  Sql(file,
      "CREATE TRIGGER refuse BEFORE INSERT ON kv WHEN NEW.key = CAST('boom' AS BLOB) "
      "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;");
  StateBatch doomed;
  doomed.Put(messages, "m3", "three");
  doomed.Delete(messages, "m1");
  doomed.Put(messages, "boom", "x");
  Status s = store->Commit(std::move(doomed));
  CHECK(s.code() == "StateNotSaved");
  CHECK(s.message().find("refused by the test") != std::string::npos);
  CHECK(All(messages) == std::map<std::string, std::string>{{"m1", "one again"}, {"m2", "two"}});
  // The store goes on working.
  REQUIRE(messages.Put("m3", "three").ok());
  CHECK(All(messages).size() == 3);
}

TEST_CASE("state store: a reopened store has what was committed", "[store]") {
  TempDir dir;
  const auto file = dir.path / "state.db";
  {
    auto store = OpenOrDie(file);
    REQUIRE(store->Section("test.a").Put("k", "v").ok());
    StateBatch batch;
    batch.Put(store->Section("test.b"), "k2", "v2");
    auto ticket = store->Enqueue(std::move(batch));
    REQUIRE(store->Wait(ticket).ok());
  }
  auto store = OpenOrDie(file);
  CHECK(All(store->Section("test.a")) == std::map<std::string, std::string>{{"k", "v"}});
  CHECK(All(store->Section("test.b")) == std::map<std::string, std::string>{{"k2", "v2"}});
}

TEST_CASE("state store: concurrent commits keep each writer's order", "[store]") {
  TempDir dir;
  auto store = OpenOrDie(dir.path / "state.db");
  StateSection s = store->Section("test.order");
  constexpr int kThreads = 8;
  constexpr int kWrites = 200;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string key = "thread/" + std::to_string(t);
      for (int i = 0; i < kWrites; i += 2) {
        // Two tickets enqueued before either is waited for: they commit in enqueue order.
        StateBatch first, second;
        first.Put(s, key, std::to_string(i));
        second.Put(s, key, std::to_string(i + 1));
        second.Put(s, key + "/" + std::to_string(i), "x");
        auto t1 = store->Enqueue(std::move(first));
        auto t2 = store->Enqueue(std::move(second));
        CHECK(store->Wait(t2).ok());
        CHECK(store->Wait(t1).ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  auto all = All(s);
  CHECK(all.size() == size_t(kThreads + kThreads * kWrites / 2));
  for (int t = 0; t < kThreads; ++t) CHECK(all["thread/" + std::to_string(t)] == "199");
}

TEST_CASE("state store: a disabled store keeps nothing", "[store]") {
  auto store = StateStore::Disabled();
  CHECK_FALSE(store->enabled());
  StateSection s = store->Section("test.a");
  CHECK_FALSE(s.enabled());
  REQUIRE(s.Put("k", "v").ok());
  StateBatch batch;
  batch.Put(s, "k", "v");
  CHECK(batch.empty());
  auto ticket = store->Enqueue(std::move(batch));
  CHECK(ticket.empty());
  REQUIRE(store->Wait(ticket).ok());
  CHECK(All(s).empty());
  CHECK(All(StateSection()).empty());
}

TEST_CASE("state store: an unusable file is refused with a reason, not a crash", "[store]") {
  TempDir dir;
  SECTION("not a database") {
    const auto file = dir.path / "state.db";
    {
      std::ofstream out(file, std::ios::binary);
      for (int i = 0; i < 1000; ++i) out << "this is not an SQLite file ";
    }
    auto store = StateStore::Open(file);
    REQUIRE_FALSE(store.ok());
    CHECK(store.status().code() == "StateStoreInvalid");
    CHECK(store.status().message().find(file.string()) != std::string::npos);
  }
  SECTION("another program's SQLite database") {
    const auto file = dir.path / "other.db";
    Sql(file, "CREATE TABLE notes(text TEXT); INSERT INTO notes VALUES ('mine');");
    auto store = StateStore::Open(file);
    REQUIRE_FALSE(store.ok());
    CHECK(store.status().code() == "StateStoreInvalid");
    CHECK(store.status().message().find("not lambda-local's") != std::string::npos);
  }
  SECTION("a newer format") {
    const auto file = dir.path / "state.db";
    { OpenOrDie(file); }
    Sql(file, "PRAGMA user_version = 99");
    auto store = StateStore::Open(file);
    REQUIRE_FALSE(store.ok());
    CHECK(store.status().message().find("newer lambda-local") != std::string::npos);
  }
  SECTION("a folder in its place") {
    const auto file = dir.path / "state.db";
    std::filesystem::create_directories(file);
    auto store = StateStore::Open(file);
    REQUIRE_FALSE(store.ok());
    CHECK(store.status().code() == "StateStoreInvalid");
    CHECK(store.status().message().find(file.string()) != std::string::npos);
  }
}

TEST_CASE("state store: submitted batches commit without a waiter, in order", "[store]") {
  TempDir dir;
  const auto file = dir.path / "state.db";
  {
    auto store = OpenOrDie(file);
    StateSection s = store->Section("t.submitted");
    for (int i = 0; i < 200; ++i) {
      StateBatch batch;
      batch.Put(s, fmt::format("{:03}", i), "v1");
      store->Submit(std::move(batch));
    }
    // Enqueued after the submitted ones: committed after them, so it overwrites key 000.
    StateBatch last;
    last.Put(s, "000", "v2");
    REQUIRE(store->Commit(std::move(last)).ok());
    auto all = All(s);
    CHECK(all.size() == 200);
    CHECK(all["000"] == "v2");
    // Submitted just before the store goes: committed on the way out.
    StateBatch at_close;
    at_close.Put(s, "zzz", "closing");
    store->Submit(std::move(at_close));
  }
  auto reopened = OpenOrDie(file);
  auto all = All(reopened->Section("t.submitted"));
  CHECK(all.size() == 201);
  CHECK(all["zzz"] == "closing");
}
