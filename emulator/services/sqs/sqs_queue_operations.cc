// Queue-level operations: create, look up, list, delete, attributes, tags, permissions.
#include <fmt/format.h>

#include "base/strings.h"
#include "services/sqs/sqs_errors.h"
#include "services/sqs/sqs_operations.h"

namespace ll::sqs {
namespace {

using Kind = SqsOutput::Kind;

constexpr int kMaxListResults = 1000;

Result<SqsOutput> CreateQueue(SqsService& service, const SqsCall& call, const SqsParams& p) {
  Result<std::string> name = p.RequiredString("QueueName");
  if (!name.ok()) return name.status();
  Result<std::map<std::string, std::string>> attributes = p.StringMap("Attributes");
  if (!attributes.ok()) return attributes.status();
  Result<std::map<std::string, std::string>> tags = p.StringMap("tags");
  if (!tags.ok()) return tags.status();
  Result<std::shared_ptr<Queue>> queue = service.CreateQueue(*name, *attributes, *tags);
  if (!queue.ok()) return queue.status();
  SqsOutput out;
  out.kind = Kind::kQueueUrl;
  out.queue_url = service.QueueUrl(call.host, (*queue)->name());
  return out;
}

Result<SqsOutput> GetQueueUrl(SqsService& service, const SqsCall& call, const SqsParams& p) {
  Result<std::string> name = p.RequiredString("QueueName");
  if (!name.ok()) return name.status();
  Result<std::optional<std::string>> owner = p.OptionalString("QueueOwnerAWSAccountId");
  if (!owner.ok()) return owner.status();
  if (owner->has_value() && **owner != service.options().account_id) return QueueDoesNotExist();
  Result<std::shared_ptr<Queue>> queue = service.FindByName(*name);
  if (!queue.ok()) return queue.status();
  SqsOutput out;
  out.kind = Kind::kQueueUrl;
  out.queue_url = service.QueueUrl(call.host, (*queue)->name());
  return out;
}

// One page of names after the NextToken; the token is the last name returned, base64.
Result<SqsOutput> Page(SqsService& service, const SqsCall& call, const SqsParams& p,
                       const std::vector<std::shared_ptr<Queue>>& queues, Kind kind) {
  Result<std::optional<int>> max_results = p.OptionalInt("MaxResults");
  if (!max_results.ok()) return max_results.status();
  if (max_results->has_value() && (**max_results < 1 || **max_results > kMaxListResults)) {
    return InvalidParameterValue(fmt::format(
        "Value {} for parameter MaxResults is invalid. Reason: MaxResults must be an integer "
        "between 1 and 1000.",
        **max_results));
  }
  Result<std::optional<std::string>> token = p.OptionalString("NextToken");
  if (!token.ok()) return token.status();
  std::string after;
  if (token->has_value() && !(*token)->empty()) {
    std::optional<std::string> decoded = Base64Decode(**token);
    if (!decoded) return InvalidParameterValue("Invalid NextToken value.");
    after = *decoded;
  }
  SqsOutput out;
  out.kind = kind;
  size_t limit = size_t(max_results->value_or(kMaxListResults));
  for (const auto& queue : queues) {
    if (!after.empty() && queue->name() <= after) continue;
    if (out.queue_urls.size() == limit) {
      // Only paginated requests get a token, as AWS does.
      if (max_results->has_value()) out.next_token = Base64Encode(after);
      break;
    }
    out.queue_urls.push_back(service.QueueUrl(call.host, queue->name()));
    after = queue->name();
  }
  return out;
}

Result<SqsOutput> ListQueues(SqsService& service, const SqsCall& call, const SqsParams& p) {
  Result<std::optional<std::string>> prefix = p.OptionalString("QueueNamePrefix");
  if (!prefix.ok()) return prefix.status();
  return Page(service, call, p, service.ListQueues(prefix->value_or("")), Kind::kQueueUrls);
}

Result<SqsOutput> ListDeadLetterSourceQueues(SqsService& service, const SqsCall& call,
                                             const SqsParams& p) {
  Result<std::shared_ptr<Queue>> queue = ResolveQueue(service, p);
  if (!queue.ok()) return queue.status();
  return Page(service, call, p, service.DeadLetterSourceQueues(**queue),
              Kind::kDeadLetterSourceQueues);
}

Result<SqsOutput> DeleteQueue(SqsService& service, const SqsParams& p) {
  Result<std::shared_ptr<Queue>> queue = ResolveQueue(service, p);
  if (!queue.ok()) return queue.status();
  if (Status s = service.DeleteQueue((*queue)->name()); !s.ok()) return s;
  return SqsOutput{};
}

Result<SqsOutput> GetQueueAttributes(SqsService& service, const SqsParams& p) {
  Result<std::shared_ptr<Queue>> queue = ResolveQueue(service, p);
  if (!queue.ok()) return queue.status();
  Result<std::vector<std::string>> names = p.StringList("AttributeNames");
  if (!names.ok()) return names.status();
  Result<AttributeMap> attributes = service.GetQueueAttributes(**queue, *names);
  if (!attributes.ok()) return attributes.status();
  SqsOutput out;
  out.kind = Kind::kAttributes;
  out.entries = std::move(*attributes);
  return out;
}

Result<SqsOutput> SetQueueAttributes(SqsService& service, const SqsParams& p) {
  Result<std::shared_ptr<Queue>> queue = ResolveQueue(service, p);
  if (!queue.ok()) return queue.status();
  if (!p.Has("Attributes")) return MissingParameter("Attributes");
  Result<std::map<std::string, std::string>> attributes = p.StringMap("Attributes");
  if (!attributes.ok()) return attributes.status();
  if (Status s = service.SetQueueAttributes(**queue, *attributes); !s.ok()) return s;
  return SqsOutput{};
}

Result<SqsOutput> TagQueue(SqsService& service, const SqsParams& p) {
  Result<std::shared_ptr<Queue>> queue = ResolveQueue(service, p);
  if (!queue.ok()) return queue.status();
  Result<std::map<std::string, std::string>> tags = p.StringMap("Tags");
  if (!tags.ok()) return tags.status();
  if (tags->empty()) return MissingParameter("Tags");
  if (Status s = (*queue)->Tag(*tags); !s.ok()) return s;
  return SqsOutput{};
}

Result<SqsOutput> UntagQueue(SqsService& service, const SqsParams& p) {
  Result<std::shared_ptr<Queue>> queue = ResolveQueue(service, p);
  if (!queue.ok()) return queue.status();
  Result<std::vector<std::string>> keys = p.StringList("TagKeys");
  if (!keys.ok()) return keys.status();
  if (keys->empty()) return MissingParameter("TagKeys");
  if (Status s = (*queue)->Untag(*keys); !s.ok()) return s;
  return SqsOutput{};
}

Result<SqsOutput> ListQueueTags(SqsService& service, const SqsParams& p) {
  Result<std::shared_ptr<Queue>> queue = ResolveQueue(service, p);
  if (!queue.ok()) return queue.status();
  SqsOutput out;
  out.kind = Kind::kTags;
  out.entries = (*queue)->tags();
  return out;
}

// Permissions are not enforced locally: AddPermission / RemovePermission check their input
// and succeed.
Result<SqsOutput> Permission(SqsService& service, const SqsParams& p) {
  Result<std::shared_ptr<Queue>> queue = ResolveQueue(service, p);
  if (!queue.ok()) return queue.status();
  Result<std::string> label = p.RequiredString("Label");
  if (!label.ok()) return label.status();
  return SqsOutput{};
}

}  // namespace

Result<std::shared_ptr<Queue>> ResolveQueue(SqsService& service, const SqsParams& params) {
  Result<std::string> url = params.RequiredString("QueueUrl");
  if (!url.ok()) return url.status();
  return service.FindByUrl(*url);
}

std::optional<Result<SqsOutput>> ExecuteQueueOperation(SqsService& service, const SqsCall& call,
                                                       const SqsParams& p) {
  const std::string& op = call.operation;
  if (op == "CreateQueue") return CreateQueue(service, call, p);
  if (op == "GetQueueUrl") return GetQueueUrl(service, call, p);
  if (op == "ListQueues") return ListQueues(service, call, p);
  if (op == "DeleteQueue") return DeleteQueue(service, p);
  if (op == "GetQueueAttributes") return GetQueueAttributes(service, p);
  if (op == "SetQueueAttributes") return SetQueueAttributes(service, p);
  if (op == "TagQueue") return TagQueue(service, p);
  if (op == "UntagQueue") return UntagQueue(service, p);
  if (op == "ListQueueTags") return ListQueueTags(service, p);
  if (op == "ListDeadLetterSourceQueues") return ListDeadLetterSourceQueues(service, call, p);
  if (op == "AddPermission" || op == "RemovePermission") return Permission(service, p);
  return std::nullopt;
}

Result<SqsOutput> ExecuteSqsOperation(SqsService& service, const SqsCall& call,
                                      const SqsParams& params) {
  if (auto out = ExecuteQueueOperation(service, call, params)) return std::move(*out);
  if (auto out = ExecuteMessageOperation(service, call, params)) return std::move(*out);
  if (call.operation == "StartMessageMoveTask" || call.operation == "CancelMessageMoveTask" ||
      call.operation == "ListMessageMoveTasks") {
    return Status::Error(errors::kUnsupportedOperation,
                         fmt::format("{} is not supported by lambda-local.", call.operation));
  }
  return Status::Error(
      errors::kInvalidAction,
      fmt::format("The action {} is not valid for this endpoint.", call.operation));
}

}  // namespace ll::sqs
