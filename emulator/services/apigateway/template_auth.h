// The template's authorization (each API's Auth, each Api / HttpApi event's Auth, the API keys)
// turned into what the gateway runs (api.h's Authorizer, Route::authorizer, ApiKey; authorizers.h),
// and the start-up lines that tell the developer about it.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "services/apigateway/api.h"
#include "template/template_loader.h"

namespace ll::apigw {

// Gives every API of `apis` (made from `loaded`, routes included) its authorizers, and every
// route its authorizer and API key requirement as SAM's translator does: the event's
// Auth.Authorizer, else the API's DefaultAuthorizer ("NONE" for none); the event's ApiKeyRequired,
// else the API's (REST APIs only). SAM's CORS preflight routes get the default authorizer and the
// API's key requirement unless AddDefaultAuthorizerToCorsPreflight / AddApiKeyRequiredToCorsPreflight
// are false. InvalidTemplate for an event naming an authorizer its API does not declare.
Status ApplyTemplateAuth(const LoadedTemplate& loaded, std::vector<Api>& apis);

// The template's enabled API keys.
std::vector<ApiKey> ApiKeysOf(const LoadedTemplate& loaded);

// What a developer must know at start: each generated key's value (the only way to learn it),
// each disabled key, each authorizer lambda-local does not enforce (JWT, Cognito) and which
// routes it leaves open, and routes that require a key when the template defines none.
std::vector<std::string> AuthNotices(const LoadedTemplate& loaded, const std::vector<Api>& apis);

// The route listing's suffix: ", auth MyAuthorizer", ", auth AWS_IAM", ", API key required".
std::string RouteAuthLabel(const Route& route);

}  // namespace ll::apigw
