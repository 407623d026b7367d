// Where a JWT authorizer's keys come from, read once at start: a file or an http(s) URL the
// user names (--jwks), or else the issuer's own discovery document
// (<issuer>/.well-known/openid-configuration, whose jwks_uri names the key set), as API Gateway
// finds them.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "services/apigateway/jwt.h"

namespace ll::apigw {

// A key set from a file path or an http(s) URL.
Result<JwksKeys> LoadJwks(const std::string& source);

// The key set the issuer publishes.
Result<JwksKeys> DiscoverJwks(std::string_view issuer);

}  // namespace ll::apigw
