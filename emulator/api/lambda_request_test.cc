#include "api/lambda_request.h"

#include <catch2/catch.hpp>

using namespace ll;

TEST_CASE("environment variables are checked as AWS does") {
  CHECK(ValidateEnvironment({}).ok());
  CHECK(ValidateEnvironment({{"COLOR", "blue"}, {"a1_b", ""}}).ok());

  for (const char* bad : {"1abc", "A", "has-dash", "_X", "sp ace"}) {
    Status s = ValidateEnvironment({{bad, "v"}});
    CHECK(s.code() == "ValidationException");
    CHECK(s.message().find("[a-zA-Z]([a-zA-Z0-9_])+") != std::string::npos);
  }

  Status reserved =
      ValidateEnvironment({{"AWS_REGION", "x"}, {"OK", "y"}, {"LAMBDA_TASK_ROOT", "z"}});
  CHECK(reserved.code() == "InvalidParameterValueException");
  CHECK(
      reserved.message().find("Reserved keys used in this request: AWS_REGION,LAMBDA_TASK_ROOT") !=
      std::string::npos);

  // _HANDLER is reserved too, but fails the key pattern first (ValidationException).
  CHECK(ValidateEnvironment({{"_HANDLER", "x"}}).code() == "ValidationException");

  // 4 KB measured on the serialized map: {"BIG":"xxx..."} is 10 bytes plus the value.
  CHECK(ValidateEnvironment({{"BIG", std::string(4086, 'x')}}).ok());
  Status big = ValidateEnvironment({{"BIG", std::string(4087, 'x')}});
  CHECK(big.code() == "InvalidParameterValueException");
  CHECK(big.message().find("exceeded the 4KB limit. String measured: {\"BIG\":\"xxx") !=
        std::string::npos);
}

TEST_CASE("validation messages follow AWS's wording") {
  Violations v;
  CHECK(v.ToStatus().ok());
  v.Range("timeout", 3000, 1, 900);
  Status one = v.ToStatus();
  CHECK(one.code() == "ValidationException");
  CHECK(one.message() ==
        "1 validation error detected: Value '3000' at 'timeout' failed to satisfy constraint: "
        "Member must have value less than or equal to 900");
  v.Range("memorySize", 64, 128, 10240);
  v.Range("ok", 5, 1, 10);  // within range: nothing added
  CHECK(v.ToStatus().message() ==
        "2 validation errors detected: Value '3000' at 'timeout' failed to satisfy constraint: "
        "Member must have value less than or equal to 900; Value '64' at 'memorySize' failed to "
        "satisfy constraint: Member must have value greater than or equal to 128");

  Violations n;
  n.Null("role");
  CHECK(n.ToStatus().message() ==
        "1 validation error detected: Value null at 'role' failed to satisfy constraint: Member "
        "must not be null");
}

TEST_CASE("pages follow the marker") {
  std::vector<std::string> keys = {"a", "b", "c", "d", "e"};
  Page first = Paginate(keys, "", 2);
  CHECK((first.begin == 0 && first.end == 2 && first.next_marker == "b"));
  Page second = Paginate(keys, first.next_marker, 2);
  CHECK((second.begin == 2 && second.end == 4 && second.next_marker == "d"));
  Page last = Paginate(keys, second.next_marker, 2);
  CHECK((last.begin == 4 && last.end == 5 && last.next_marker.empty()));
  // The marker's item was deleted meanwhile: resume after where it would be.
  Page resumed = Paginate({"a", "c", "d"}, "b", 10);
  CHECK((resumed.begin == 1 && resumed.end == 3));
  Page exact = Paginate(keys, "", 5);
  CHECK(exact.next_marker.empty());
  CHECK(Paginate({}, "", 50).end == 0);
}

TEST_CASE("percent-decoding of path segments") {
  CHECK(PercentDecode("arn%3Aaws%3Alambda") == "arn:aws:lambda");
  CHECK(PercentDecode("%24LATEST") == "$LATEST");
  CHECK(PercentDecode("plain") == "plain");
  CHECK(PercentDecode("bad%zz%4") == "bad%zz%4");
}

TEST_CASE("typed fields remember the first type error") {
  rapidjson::Document doc;
  doc.Parse(R"({"Timeout": "3", "MemorySize": 256, "Publish": true, "Gone": null,
                "Environment": {"Variables": {"A": "1"}}, "Layers": ["x", 1]})");
  Fields f(doc);
  CHECK(f.Int("MemorySize") == 256);
  CHECK(f.Bool("Publish") == true);
  CHECK_FALSE(f.Has("Gone"));
  CHECK_FALSE(f.String("Gone"));
  CHECK(f.status().ok());
  CHECK_FALSE(f.Int("Timeout"));
  CHECK(f.status().code() == "InvalidRequestContentException");
  CHECK(f.status().message().find("'Timeout' must be an integer, got a string") !=
        std::string::npos);
  CHECK_FALSE(f.StringList("Layers"));
  CHECK(f.status().message().find("Timeout") != std::string::npos);  // the first error stays
  Fields env(*f.Object("Environment"), "Environment.");
  CHECK(env.StringMap("Variables")->at("A") == "1");
}
