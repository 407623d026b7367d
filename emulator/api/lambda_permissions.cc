// Resource policy and tags: AddPermission, GetPolicy, RemovePermission, TagResource,
// UntagResource, ListTags. Policies are stored and reported, never enforced.
#include <algorithm>

#include <fmt/format.h>

#include "api/function_json.h"
#include "api/lambda_request.h"
#include "base/strings.h"
#include "model/error_names.h"
#include "model/function_ref.h"

namespace ll {
namespace {

constexpr size_t kMaxPolicyBytes = 20480;
constexpr size_t kMaxTags = 50;

bool IsStatementId(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

// (lambda:[*]|lambda:[a-zA-Z]+|[*])
bool IsAction(const std::string& s) {
  if (s == "*" || s == "lambda:*") return true;
  if (!StartsWith(s, "lambda:") || s.size() == 7) return false;
  return std::all_of(s.begin() + 7, s.end(),
                     [](char c) { return std::isalpha(static_cast<unsigned char>(c)); });
}

void WritePrincipal(JsonWriter& w, const std::string& principal) {
  if (principal == "*") {
    WriteString(w, principal);
    return;
  }
  w.StartObject();
  const bool account =
      principal.size() == 12 &&
      std::all_of(principal.begin(), principal.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (account) {
    w.Key("AWS");
    WriteString(w, "arn:aws:iam::" + principal + ":root");
  } else if (StartsWith(principal, "arn:")) {
    w.Key("AWS");
    WriteString(w, principal);
  } else {
    w.Key("Service");
    WriteString(w, principal);
  }
  w.EndObject();
}

// The Resource a stored statement applies to.
std::string StatementResource(const std::string& statement) {
  rapidjson::Document doc;
  doc.Parse(statement.data(), statement.size());
  if (doc.HasParseError() || !doc.IsObject()) return "";
  auto it = doc.FindMember("Resource");
  return it != doc.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

std::string PolicyDocument(const std::vector<std::string>& statements) {
  std::string out = R"({"Version":"2012-10-17","Id":"default","Statement":[)";
  for (size_t i = 0; i < statements.size(); ++i) {
    if (i) out += ",";
    out += statements[i];
  }
  return out + "]}";
}

Status AddPermission(const ControlPlaneContext& ctx, const HttpRequest& req,
                     HttpResponse& res) {
  auto target = ParseTarget(ctx, req, Qualifiers::kAllowed);
  if (!target.ok()) return target.status();
  auto doc = ParseJsonBody(req);
  if (!doc.ok()) return doc.status();
  Fields f(*doc);
  Violations v;
  auto sid = f.String("StatementId");
  auto action = f.String("Action");
  auto principal = f.String("Principal");
  auto revision = f.String("RevisionId");
  std::vector<std::pair<std::string, std::pair<std::string, std::string>>> conditions;
  auto condition = [&](const char* member, const char* op, const char* key) {
    if (auto value = f.String(member)) conditions.push_back({op, {key, *value}});
  };
  condition("SourceAccount", "StringEquals", "AWS:SourceAccount");
  condition("EventSourceToken", "StringEquals", "lambda:EventSourceToken");
  condition("PrincipalOrgID", "StringEquals", "aws:PrincipalOrgID");
  condition("FunctionUrlAuthType", "StringEquals", "lambda:FunctionUrlAuthType");
  condition("SourceArn", "ArnLike", "AWS:SourceArn");
  if (f.Bool("InvokedViaFunctionUrl").value_or(false)) {
    conditions.push_back({"Bool", {"lambda:InvokedViaFunctionUrl", "true"}});
  }
  if (!f.status().ok()) return f.status();
  if (!sid)
    v.Null("statementId");
  else if (sid->size() > 100 || !IsStatementId(*sid))
    v.Pattern("statementId", *sid, "([a-zA-Z0-9-_]+)");
  if (!action)
    v.Null("action");
  else if (!IsAction(*action))
    v.Pattern("action", *action, "(lambda:[*]|lambda:[a-zA-Z]+|[*])");
  if (!principal)
    v.Null("principal");
  else if (principal->empty() || principal->find_first_of(" \t\r\n") != std::string::npos) {
    v.Pattern("principal", *principal, "[^\\s]+");
  }
  if (!v.empty()) return v.ToStatus();

  const std::string resource = FunctionArn(ctx, target->name, target->qualifier);
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("Sid");
  WriteString(w, *sid);
  w.Key("Effect");
  w.String("Allow");
  w.Key("Principal");
  WritePrincipal(w, *principal);
  w.Key("Action");
  WriteString(w, *action);
  w.Key("Resource");
  WriteString(w, resource);
  if (!conditions.empty()) {
    // Grouped by operator, as IAM writes them.
    std::map<std::string, std::map<std::string, std::string>> by_op;
    for (const auto& [op, kv] : conditions) by_op[op][kv.first] = kv.second;
    w.Key("Condition");
    w.StartObject();
    for (const auto& [op, kvs] : by_op) {
      w.Key(op.c_str());
      WriteStringMap(w, kvs);
    }
    w.EndObject();
  }
  w.EndObject();
  const std::string statement(buf.GetString(), buf.GetSize());

  Status s = UpdateRecord(ctx, target->name, [&](FunctionRecord& rec) {
    auto config = ConfigFor(ctx, rec, target->qualifier);
    if (!config.ok()) return config.status();
    if (revision && *revision != rec.policy_revision_id && *revision != rec.latest->revision_id) {
      return CheckRevision(revision, rec.policy_revision_id);
    }
    if (rec.policy_statements.count(*sid)) {
      return Status::Error(errors::kResourceConflict,
                           fmt::format("The statement id ({}) provided already exists. Please "
                                       "provide a new statement id, or remove the existing "
                                       "statement.",
                                       *sid));
    }
    rec.policy_statements[*sid] = statement;
    std::vector<std::string> all;
    for (const auto& [id, st] : rec.policy_statements) all.push_back(st);
    const size_t size = PolicyDocument(all).size();
    if (size > kMaxPolicyBytes) {
      return Status::Error(errors::kPolicyLengthExceeded,
                           fmt::format("The final policy size ({}) is bigger than the limit ({}).",
                                       size, kMaxPolicyBytes));
    }
    rec.policy_revision_id = NewRevisionId();
    return Status::Ok();
  });
  if (!s.ok()) return s;
  rapidjson::StringBuffer out;
  JsonWriter ow(out);
  ow.StartObject();
  ow.Key("Statement");
  WriteString(ow, statement);
  ow.EndObject();
  WriteJson(res, 201, std::string(out.GetString(), out.GetSize()));
  return Status::Ok();
}

Status GetPolicy(const ControlPlaneContext& ctx, const HttpRequest& req,
                 HttpResponse& res) {
  auto fn = ReadFunction(ctx, req, Qualifiers::kAllowed);
  if (!fn.ok()) return fn.status();
  const std::string resource = FunctionArn(ctx, fn->target.name, fn->target.qualifier);
  std::vector<std::string> statements;
  for (const auto& [sid, statement] : fn->record.policy_statements) {
    if (StatementResource(statement) == resource) statements.push_back(statement);
  }
  if (statements.empty()) {
    return Status::Error(errors::kResourceNotFound, "The resource you requested does not exist.");
  }
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("Policy");
  WriteString(w, PolicyDocument(statements));
  w.Key("RevisionId");
  WriteString(w, fn->record.policy_revision_id);
  w.EndObject();
  WriteJson(res, 200, std::string(buf.GetString(), buf.GetSize()));
  return Status::Ok();
}

Status RemovePermission(const ControlPlaneContext& ctx, const HttpRequest& req,
                        HttpResponse& res) {
  auto target = ParseTarget(ctx, req, Qualifiers::kAllowed);
  if (!target.ok()) return target.status();
  const std::string sid = PercentDecode(req.matches[2].str());
  std::optional<std::string> revision;
  if (req.HasParam("RevisionId")) revision = req.Param("RevisionId");
  Status s = UpdateRecord(ctx, target->name, [&](FunctionRecord& rec) {
    auto config = ConfigFor(ctx, rec, target->qualifier);
    if (!config.ok()) return config.status();
    if (revision && *revision != rec.policy_revision_id && *revision != rec.latest->revision_id) {
      return CheckRevision(revision, rec.policy_revision_id);
    }
    if (!rec.policy_statements.erase(sid)) {
      return Status::Error(errors::kResourceNotFound,
                           fmt::format("Statement {} is not found in resource policy.", sid));
    }
    rec.policy_revision_id = NewRevisionId();
    return Status::Ok();
  });
  if (!s.ok()) return s;
  res.status = 204;
  return Status::Ok();
}

// ---- Tags ----

// The function a tag request's {Resource} (a function ARN) names.
Result<std::string> TaggedFunction(const ControlPlaneContext& ctx, const HttpRequest& req) {
  const std::string arn = PercentDecode(req.matches[1].str());
  if (!StartsWith(arn, "arn:")) {
    Violations v;
    v.Pattern("resource", arn,
              "arn:(aws[a-zA-Z-]*):lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:"
              "function:[a-zA-Z0-9-_]+");
    return v.ToStatus();
  }
  auto ref = ParseFunctionRef(arn);
  if (!ref.ok()) return ref.status();
  if (!ref->qualifier.empty()) {
    return Status::Error(errors::kInvalidParameterValue,
                         "Tags on function aliases and versions are not supported. Please specify "
                         "a function ARN.");
  }
  if (ref->region != ctx.region || ref->account_id != ctx.account_id ||
      !ctx.store->Get(ref->name)) {
    return Status::Error(errors::kResourceNotFound, "Function not found: " + arn);
  }
  return ref->name;
}

Status TagResource(const ControlPlaneContext& ctx, const HttpRequest& req,
                   HttpResponse& res) {
  auto name = TaggedFunction(ctx, req);
  if (!name.ok()) return name.status();
  auto doc = ParseJsonBody(req);
  if (!doc.ok()) return doc.status();
  Fields f(*doc);
  auto tags = f.StringMap("Tags");
  if (!f.status().ok()) return f.status();
  Violations v;
  if (!tags) v.Null("tags");
  for (const auto& [k, val] : tags.value_or(std::map<std::string, std::string>{})) {
    if (k.empty() || k.size() > 128) v.MaxLength("tags.key", k, 128);
    v.MaxLength("tags.value", val, 256);
  }
  if (!v.empty()) return v.ToStatus();
  Status s = UpdateRecord(ctx, *name, [&](FunctionRecord& rec) {
    auto merged = rec.tags;
    for (const auto& [k, val] : *tags) merged[k] = val;
    if (merged.size() > kMaxTags) {
      return Status::Error(errors::kInvalidParameterValue,
                           fmt::format("A function can have at most {} tags; this request would "
                                       "give it {}.",
                                       kMaxTags, merged.size()));
    }
    rec.tags = std::move(merged);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  res.status = 204;
  return Status::Ok();
}

Status UntagResource(const ControlPlaneContext& ctx, const HttpRequest& req,
                     HttpResponse& res) {
  auto name = TaggedFunction(ctx, req);
  if (!name.ok()) return name.status();
  std::vector<std::string> keys;
  for (size_t i = 0; i < req.ParamCount("tagKeys"); ++i) {
    keys.push_back(req.Param("tagKeys", i));
  }
  if (keys.empty()) {
    Violations v;
    v.Null("tagKeys");
    return v.ToStatus();
  }
  Status s = UpdateRecord(ctx, *name, [&](FunctionRecord& rec) {
    for (const auto& k : keys) rec.tags.erase(k);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  res.status = 204;
  return Status::Ok();
}

Status ListTags(const ControlPlaneContext& ctx, const HttpRequest& req,
                HttpResponse& res) {
  auto name = TaggedFunction(ctx, req);
  if (!name.ok()) return name.status();
  auto rec = GetRecord(ctx, *name);
  if (!rec.ok()) return rec.status();
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("Tags");
  WriteStringMap(w, rec->tags);
  w.EndObject();
  WriteJson(res, 200, std::string(buf.GetString(), buf.GetSize()));
  return Status::Ok();
}

}  // namespace

void RegisterPermissionTagRoutes(HttpRouter& router, const ControlPlaneContext* ctx) {
  const std::string policy = R"(/2015-03-31/functions/([^/]+)/policy)";
  router.Post(policy + "/?", Wrap(ctx, AddPermission));
  router.Get(policy + "/?", Wrap(ctx, GetPolicy));
  router.Delete(policy + "/([^/]+)/?", Wrap(ctx, RemovePermission));
  const std::string tags = R"(/2017-03-31/tags/([^/]+))";
  router.Post(tags + "/?", Wrap(ctx, TagResource));
  router.Delete(tags + "/?", Wrap(ctx, UntagResource));
  router.Get(tags + "/?", Wrap(ctx, ListTags));
}

}  // namespace ll
