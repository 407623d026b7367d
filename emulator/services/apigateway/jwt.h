// JWT authorizers of HTTP APIs: the checks API Gateway makes of a bearer token before a route
// runs (AWS's "Controlling access to HTTP APIs with JWT authorizers"): a well-formed token, an
// RSA signature (RS256/384/512) by a key of the issuer's key set, `iss` equal to the issuer,
// `aud` (or else `client_id`) one of the audiences, `exp` in the future, `nbf` and `iat` in the
// past; then the route's scopes against `scope` / `scp`. What passes reaches the function as
// requestContext.authorizer.jwt {claims, scopes}.
//
// Pure functions and an immutable key set: safe on any thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace ll::apigw {

// The RSA keys of a JSON Web Key Set ({"keys": [{"kty": "RSA", "kid", "n", "e", ...}]}); keys
// of other types are skipped.
class JwksKeys {
 public:
  // InvalidJwks when `json` is not a key set with at least one RSA key.
  static Result<JwksKeys> Parse(std::string_view json);

  // Whether `signature` signs `signing_input` with the key `kid` under `alg` (RS256, RS384,
  // RS512). An unknown kid or another alg: false.
  bool Verify(std::string_view kid, std::string_view alg, std::string_view signing_input,
              std::string_view signature) const;

  size_t size() const { return keys_.size(); }

 private:
  struct Key;
  std::map<std::string, std::shared_ptr<const Key>, std::less<>> keys_;  // by kid
};

struct JwtRules {
  std::string issuer;
  std::vector<std::string> audience;
  bool check_audience = true;  // false for Cognito user-pool authorizers, which take any app client's
};

// What a valid token gives the function: each claim as API Gateway passes it (a string, a
// number's digits, an array as "[a b]"), and its scopes.
struct JwtIdentity {
  std::vector<std::pair<std::string, std::string>> claims;
  std::vector<std::string> scopes;
};

// Checks the token in `authorization` (the identity source's value; "Bearer " is taken off)
// against `rules` at `now_s` (epoch seconds). `keys` null: the signature is not checked (the
// user asked so). Unauthorized, with the reason, for any failure.
Result<JwtIdentity> CheckJwt(std::string_view authorization, const JwtRules& rules,
                             const JwksKeys* keys, int64_t now_s);

// Whether the token's scopes include one of `required` (none required: yes).
bool HasAnyScope(const JwtIdentity& identity, const std::vector<std::string>& required);

}  // namespace ll::apigw
