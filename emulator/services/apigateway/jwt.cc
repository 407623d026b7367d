#include "services/apigateway/jwt.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>

#include "base/json_parse.h"
#include "base/strings.h"
#include "http/http_message.h"

namespace ll::apigw {

struct JwksKeys::Key {
  EVP_PKEY* pkey = nullptr;
  ~Key() { EVP_PKEY_free(pkey); }
};

namespace {

constexpr char kUnauthorized[] = "Unauthorized";

Status Refused(std::string why) { return Status::Error(kUnauthorized, std::move(why)); }

// Base64url without padding, as JWTs and JWKs write it.
std::optional<std::string> Base64UrlDecode(std::string_view in) {
  if (in.find_first_of("+/=") != std::string_view::npos) return std::nullopt;
  return Base64Decode(in);
}

// An RSA public key from a JWK's modulus and exponent (big-endian bytes).
EVP_PKEY* RsaKey(const std::string& n, const std::string& e) {
  BIGNUM* bn_n = BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()), int(n.size()), nullptr);
  BIGNUM* bn_e = BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()), int(e.size()), nullptr);
  OSSL_PARAM_BLD* build = OSSL_PARAM_BLD_new();
  EVP_PKEY* pkey = nullptr;
  if (bn_n && bn_e && build && OSSL_PARAM_BLD_push_BN(build, OSSL_PKEY_PARAM_RSA_N, bn_n) &&
      OSSL_PARAM_BLD_push_BN(build, OSSL_PKEY_PARAM_RSA_E, bn_e)) {
    OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(build);
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr);
    if (params && ctx && EVP_PKEY_fromdata_init(ctx) > 0) {
      if (EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0) pkey = nullptr;
    }
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
  }
  OSSL_PARAM_BLD_free(build);
  BN_free(bn_n);
  BN_free(bn_e);
  return pkey;
}

const EVP_MD* DigestOf(std::string_view alg) {
  if (alg == "RS256") return EVP_sha256();
  if (alg == "RS384") return EVP_sha384();
  if (alg == "RS512") return EVP_sha512();
  return nullptr;
}

std::string StringMember(const rapidjson::Value& o, const char* name) {
  auto it = o.FindMember(name);
  return it != o.MemberEnd() && it->value.IsString()
             ? std::string(it->value.GetString(), it->value.GetStringLength())
             : std::string();
}

// A claim as API Gateway hands it to the function: strings as they are, numbers and booleans
// as their JSON text, arrays as "[a b]", objects as JSON.
std::string ClaimText(const rapidjson::Value& v) {
  if (v.IsString()) return std::string(v.GetString(), v.GetStringLength());
  if (v.IsArray()) {
    std::string out = "[";
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
      if (i) out += ' ';
      out += ClaimText(v[i]);
    }
    return out + "]";
  }
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

// A NumericDate claim; nullopt when absent, Refused when not a number.
Result<std::optional<int64_t>> TimeClaim(const rapidjson::Value& payload, const char* name) {
  auto it = payload.FindMember(name);
  if (it == payload.MemberEnd()) return std::optional<int64_t>();
  if (!it->value.IsNumber()) return Refused(std::string(name) + " is not a number");
  return std::optional<int64_t>(int64_t(it->value.GetDouble()));
}

}  // namespace

Result<JwksKeys> JwksKeys::Parse(std::string_view json) {
  rapidjson::Document doc;
  if (!ParseJson(doc, json) || !doc.IsObject() || !doc.HasMember("keys") || !doc["keys"].IsArray()) {
    return Status::Error("InvalidJwks", "not a JSON Web Key Set ({\"keys\": [...]})");
  }
  JwksKeys out;
  for (const auto& jwk : doc["keys"].GetArray()) {
    if (!jwk.IsObject() || StringMember(jwk, "kty") != "RSA") continue;
    auto n = Base64UrlDecode(StringMember(jwk, "n"));
    auto e = Base64UrlDecode(StringMember(jwk, "e"));
    if (!n || !e || n->empty() || e->empty()) continue;
    auto key = std::make_shared<Key>();
    key->pkey = RsaKey(*n, *e);
    if (!key->pkey) continue;
    out.keys_[StringMember(jwk, "kid")] = std::move(key);
  }
  if (out.keys_.empty()) return Status::Error("InvalidJwks", "the key set has no RSA key");
  return out;
}

bool JwksKeys::Verify(std::string_view kid, std::string_view alg, std::string_view signing_input,
                      std::string_view signature) const {
  auto it = keys_.find(kid);
  const EVP_MD* md = DigestOf(alg);
  if (it == keys_.end() || !md) return false;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = ctx && EVP_DigestVerifyInit(ctx, nullptr, md, nullptr, it->second->pkey) > 0 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                             reinterpret_cast<const unsigned char*>(signing_input.data()),
                             signing_input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

Result<JwtIdentity> CheckJwt(std::string_view authorization, const JwtRules& rules, const JwksKeys* keys,
                             int64_t now_s) {
  std::string_view token = authorization;
  if (token.size() > 7 && EqualsIgnoreCase(token.substr(0, 7), "bearer ")) token.remove_prefix(7);
  if (token.empty()) return Refused("no token");
  const size_t dot1 = token.find('.');
  const size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return Refused("not a JWT (three dot-separated parts)");
  }
  auto header_text = Base64UrlDecode(token.substr(0, dot1));
  auto payload_text = Base64UrlDecode(token.substr(dot1 + 1, dot2 - dot1 - 1));
  auto signature = Base64UrlDecode(token.substr(dot2 + 1));
  if (!header_text || !payload_text || !signature) return Refused("a part is not base64url");
  rapidjson::Document header, payload;
  if (!ParseJson(header, *header_text) || !header.IsObject()) return Refused("the header is not a JSON object");
  if (!ParseJson(payload, *payload_text) || !payload.IsObject()) return Refused("the payload is not a JSON object");

  if (keys) {
    const std::string alg = StringMember(header, "alg");
    if (!DigestOf(alg)) return Refused("alg " + alg + " is not an RSA algorithm");
    if (!keys->Verify(StringMember(header, "kid"), alg, token.substr(0, dot2), *signature)) {
      return Refused("the signature does not verify with the issuer's key " + StringMember(header, "kid"));
    }
  }
  if (StringMember(payload, "iss") != rules.issuer) return Refused("iss is not " + rules.issuer);
  // aud when the token has one, else client_id (Cognito access tokens).
  std::vector<std::string> audiences;
  if (auto aud = payload.FindMember("aud"); aud != payload.MemberEnd()) {
    if (aud->value.IsString()) audiences.emplace_back(aud->value.GetString(), aud->value.GetStringLength());
    if (aud->value.IsArray()) {
      for (const auto& a : aud->value.GetArray()) {
        if (a.IsString()) audiences.emplace_back(a.GetString(), a.GetStringLength());
      }
    }
  } else {
    audiences.push_back(StringMember(payload, "client_id"));
  }
  const bool audience_ok = std::any_of(audiences.begin(), audiences.end(), [&](const std::string& a) {
    return !a.empty() && std::find(rules.audience.begin(), rules.audience.end(), a) != rules.audience.end();
  });
  if (rules.check_audience && !audience_ok) return Refused("neither aud nor client_id is an audience of the authorizer");
  auto exp = TimeClaim(payload, "exp");
  auto nbf = TimeClaim(payload, "nbf");
  auto iat = TimeClaim(payload, "iat");
  if (!exp.ok()) return exp.status();
  if (!nbf.ok()) return nbf.status();
  if (!iat.ok()) return iat.status();
  if (!*exp || **exp <= now_s) return Refused("the token has expired (or has no exp)");
  if (*nbf && **nbf > now_s) return Refused("the token is not valid yet (nbf)");
  if (*iat && **iat > now_s) return Refused("the token was issued in the future (iat)");

  JwtIdentity identity;
  for (const auto& m : payload.GetObject()) {
    identity.claims.emplace_back(std::string(m.name.GetString(), m.name.GetStringLength()), ClaimText(m.value));
  }
  if (auto scope = payload.FindMember("scope"); scope != payload.MemberEnd() && scope->value.IsString()) {
    std::string_view s(scope->value.GetString(), scope->value.GetStringLength());
    while (!s.empty()) {
      const size_t space = s.find(' ');
      if (space != 0) identity.scopes.emplace_back(s.substr(0, space));
      if (space == std::string_view::npos) break;
      s.remove_prefix(space + 1);
    }
  } else if (auto scp = payload.FindMember("scp"); scp != payload.MemberEnd() && scp->value.IsArray()) {
    for (const auto& v : scp->value.GetArray()) {
      if (v.IsString()) identity.scopes.emplace_back(v.GetString(), v.GetStringLength());
    }
  }
  return identity;
}

bool HasAnyScope(const JwtIdentity& identity, const std::vector<std::string>& required) {
  if (required.empty()) return true;
  return std::any_of(required.begin(), required.end(), [&](const std::string& r) {
    return std::find(identity.scopes.begin(), identity.scopes.end(), r) != identity.scopes.end();
  });
}

}  // namespace ll::apigw
