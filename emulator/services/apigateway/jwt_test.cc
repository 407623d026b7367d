#include "services/apigateway/jwt.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <memory>

#include <catch2/catch.hpp>

#include "base/strings.h"

using namespace ll;
using namespace ll::apigw;

namespace {

std::string Base64Url(std::string_view bytes) {
  std::string s = Base64Encode(bytes);
  for (char& c : s) c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (!s.empty() && s.back() == '=') s.pop_back();
  return s;
}

// An RSA key of the test's own, its JWKS and tokens signed with it.
struct Signer {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key{EVP_RSA_gen(2048), EVP_PKEY_free};

  std::string Jwks(const std::string& kid) const {
    BIGNUM* n = nullptr;
    BIGNUM* e = nullptr;
    EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_RSA_N, &n);
    EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_RSA_E, &e);
    std::string nb(size_t(BN_num_bytes(n)), '\0'), eb(size_t(BN_num_bytes(e)), '\0');
    BN_bn2bin(n, reinterpret_cast<unsigned char*>(nb.data()));
    BN_bn2bin(e, reinterpret_cast<unsigned char*>(eb.data()));
    BN_free(n);
    BN_free(e);
    return R"({"keys":[{"kty":"EC","kid":"ec"},{"kty":"RSA","kid":")" + kid + R"(","use":"sig","alg":"RS256","n":")" +
           Base64Url(nb) + R"(","e":")" + Base64Url(eb) + R"("}]})";
  }

  std::string Token(const std::string& kid, const std::string& payload, const std::string& alg = "RS256") const {
    const std::string input =
        Base64Url(R"({"alg":")" + alg + R"(","typ":"JWT","kid":")" + kid + R"("})") + "." + Base64Url(payload);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    size_t size = 0;
    EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key.get());
    EVP_DigestSign(ctx, nullptr, &size, reinterpret_cast<const unsigned char*>(input.data()), input.size());
    std::string sig(size, '\0');
    EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &size,
                   reinterpret_cast<const unsigned char*>(input.data()), input.size());
    EVP_MD_CTX_free(ctx);
    sig.resize(size);
    return input + "." + Base64Url(sig);
  }
};

constexpr int64_t kNow = 1800000000;
const JwtRules kRules{"https://issuer.example", {"app-client"}};

std::string Claims(const std::string& extra = "") {
  return R"({"iss":"https://issuer.example","aud":"app-client","sub":"user-1","exp":1800000600,"iat":1799999000,"scope":"read write","groups":["a","b"])" +
         extra + "}";
}

}  // namespace

TEST_CASE("jwt: a valid token gives its claims and scopes") {
  Signer signer;
  auto keys = JwksKeys::Parse(signer.Jwks("k1"));
  REQUIRE(keys.ok());
  CHECK(keys->size() == 1);  // the EC key is skipped
  auto id = CheckJwt("Bearer " + signer.Token("k1", Claims()), kRules, &*keys, kNow);
  REQUIRE(id.ok());
  std::map<std::string, std::string> claims(id->claims.begin(), id->claims.end());
  CHECK(claims["sub"] == "user-1");
  CHECK(claims["exp"] == "1800000600");
  CHECK(claims["groups"] == "[a b]");
  CHECK(id->scopes == std::vector<std::string>{"read", "write"});
  CHECK(HasAnyScope(*id, {"write", "admin"}));
  CHECK_FALSE(HasAnyScope(*id, {"admin"}));
  CHECK(HasAnyScope(*id, {}));
  // Without "Bearer " too.
  CHECK(CheckJwt(signer.Token("k1", Claims()), kRules, &*keys, kNow).ok());
}

TEST_CASE("jwt: every check refuses with Unauthorized") {
  Signer signer, other;
  auto keys = JwksKeys::Parse(signer.Jwks("k1"));
  REQUIRE(keys.ok());
  auto refused = [&](const std::string& token, int64_t now = kNow) {
    auto r = CheckJwt(token, kRules, &*keys, now);
    return !r.ok() && r.status().code() == "Unauthorized";
  };
  CHECK(refused(""));
  CHECK(refused("Bearer "));
  CHECK(refused("abc.def"));
  CHECK(refused("a.b.c.d"));
  CHECK(refused("!!.??.**"));
  CHECK(refused(other.Token("k1", Claims())));                  // signed by another key
  CHECK(refused(signer.Token("k2", Claims())));                 // unknown kid
  CHECK(refused(signer.Token("k1", Claims(), "HS256")));        // not RSA
  CHECK(refused(signer.Token("k1", Claims()), 1800000600));     // expired at exp
  CHECK(refused(signer.Token("k1", Claims(R"(,"nbf":1800000100)"))));  // not yet
  CHECK(refused(signer.Token("k1", R"({"iss":"https://other","aud":"app-client","exp":1800000600})")));
  CHECK(refused(signer.Token("k1", R"({"iss":"https://issuer.example","aud":"x","exp":1800000600})")));
  CHECK(refused(signer.Token("k1", R"({"iss":"https://issuer.example","aud":"app-client"})")));  // no exp
  CHECK(refused(signer.Token("k1", R"({"iss":"https://issuer.example","aud":"app-client","exp":"soon"})")));
  std::string token = signer.Token("k1", Claims());
  token[token.size() / 2] = token[token.size() / 2] == 'A' ? 'B' : 'A';  // tampered
  CHECK(refused(token));
}

TEST_CASE("jwt: client_id stands for aud, scp for scope, and the signature may be skipped") {
  Signer signer;
  const std::string access =
      R"({"iss":"https://issuer.example","client_id":"app-client","exp":1800000600,"scp":["items/read"]})";
  auto id = CheckJwt(signer.Token("k1", access), kRules, nullptr, kNow);  // no key set: not checked
  REQUIRE(id.ok());
  CHECK(id->scopes == std::vector<std::string>{"items/read"});
}

TEST_CASE("jwt: key sets that are not") {
  CHECK_FALSE(JwksKeys::Parse("").ok());
  CHECK_FALSE(JwksKeys::Parse("[]").ok());
  CHECK_FALSE(JwksKeys::Parse(R"({"keys":[]})").ok());
  CHECK_FALSE(JwksKeys::Parse(R"({"keys":[{"kty":"RSA","kid":"x","n":"***","e":"AQAB"}]})").ok());
}
