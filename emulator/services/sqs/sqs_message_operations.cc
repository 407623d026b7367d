// Message-level operations: send, receive, delete, change visibility (single and batch), purge.
#include <fmt/format.h>

#include <cctype>
#include <set>

#include "services/sqs/message_attributes.h"
#include "services/sqs/sqs_errors.h"
#include "services/sqs/sqs_operations.h"

namespace ll::sqs {
namespace {

using Kind = SqsOutput::Kind;

constexpr size_t kMaxBatchEntries = 10;
constexpr size_t kMaxBatchBytes = 1048576;
constexpr int kMaxWaitSeconds = 20;
constexpr int kMaxReceiveMessages = 10;

Result<SendRequest> ParseSend(const SqsParams& p) {
  SendRequest r;
  Result<std::string> body = p.RequiredString("MessageBody");
  if (!body.ok()) return body.status();
  r.body = std::move(*body);
  Result<std::optional<int>> delay = p.OptionalInt("DelaySeconds");
  if (!delay.ok()) return delay.status();
  r.delay_seconds = *delay;
  Result<MessageAttributes> attributes = p.Attributes("MessageAttributes");
  if (!attributes.ok()) return attributes.status();
  r.attributes = std::move(*attributes);
  Result<MessageAttributes> system = p.Attributes("MessageSystemAttributes");
  if (!system.ok()) return system.status();
  r.system_attributes = std::move(*system);
  Result<std::optional<std::string>> group = p.OptionalString("MessageGroupId");
  if (!group.ok()) return group.status();
  r.group_id = group->value_or("");
  Result<std::optional<std::string>> dedup = p.OptionalString("MessageDeduplicationId");
  if (!dedup.ok()) return dedup.status();
  r.deduplication_id = dedup->value_or("");
  return r;
}

BatchResultError ToBatchError(std::string id, const Status& status) {
  SqsErrorWire wire = ErrorWire(status.code());
  return BatchResultError{std::move(id), wire.query_code, status.message(), wire.sender_fault};
}

// Entries present, at most 10, ids well-formed and distinct. `entry_name` is the query
// protocol's entry name, e.g. "SendMessageBatchRequestEntry".
Result<std::vector<SqsParams>> BatchEntries(const SqsParams& p, std::string_view entry_name) {
  Result<std::vector<SqsParams>> entries = p.ObjectList("Entries");
  if (!entries.ok()) return entries.status();
  if (entries->empty()) {
    return Status::Error(
        errors::kEmptyBatchRequest,
        fmt::format("There should be at least one {} in the request.", entry_name));
  }
  if (entries->size() > kMaxBatchEntries) {
    return Status::Error(
        errors::kTooManyEntriesInBatchRequest,
        fmt::format("Maximum number of entries per request are 10. You have sent {}.",
                    entries->size()));
  }
  std::set<std::string> seen;
  for (const SqsParams& entry : *entries) {
    Result<std::optional<std::string>> id = entry.OptionalString("Id");
    if (!id.ok()) return id.status();
    const std::string value = id->value_or("");
    bool valid = !value.empty() && value.size() <= 80;
    for (char c : value) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') valid = false;
    }
    if (!valid) {
      return Status::Error(errors::kInvalidBatchEntryId,
                           "A batch entry id can only contain alphanumeric characters, hyphens and "
                           "underscores. It can be at most 80 letters long.");
    }
    if (!seen.insert(value).second) {
      return Status::Error(errors::kBatchEntryIdsNotDistinct,
                           fmt::format("Id {} repeated.", value));
    }
  }
  return entries;
}

std::string EntryId(const SqsParams& entry) {
  Result<std::optional<std::string>> id = entry.OptionalString("Id");
  return id.ok() ? id->value_or("") : "";
}

Result<SqsOutput> SendMessage(SqsService& service, const SqsParams& p) {
  Result<std::shared_ptr<Queue>> queue = ResolveQueue(service, p);
  if (!queue.ok()) return queue.status();
  Result<SendRequest> request = ParseSend(p);
  if (!request.ok()) return request.status();
  Result<SendResult> sent = (*queue)->Send(std::move(*request));
  if (!sent.ok()) return sent.status();
  SqsOutput out;
  out.kind = Kind::kSendMessage;
  out.send = std::move(*sent);
  return out;
}

Result<SqsOutput> SendMessageBatch(SqsService& service, const SqsParams& p) {
  Result<std::shared_ptr<Queue>> queue = ResolveQueue(service, p);
  if (!queue.ok()) return queue.status();
  Result<std::vector<SqsParams>> entries = BatchEntries(p, "SendMessageBatchRequestEntry");
  if (!entries.ok()) return entries.status();
  // Parse everything first: the batch's total size is checked before anything is sent.
  std::vector<std::pair<std::string, Result<SendRequest>>> requests;
  size_t total = 0;
  for (const SqsParams& entry : *entries) {
    Result<SendRequest> request = ParseSend(entry);
    if (request.ok()) total += MessageSize(*request);
    requests.emplace_back(EntryId(entry), std::move(request));
  }
  if (total > kMaxBatchBytes) {
    return Status::Error(errors::kBatchRequestTooLong,
                         fmt::format("Batch requests cannot be longer than {} bytes. You have sent "
                                     "{} bytes.",
                                     kMaxBatchBytes, total));
  }
  SqsOutput out;
  out.kind = Kind::kSendMessageBatch;
  for (auto& [id, request] : requests) {
    if (!request.ok()) {
      out.failed.push_back(ToBatchError(id, request.status()));
      continue;
    }
    Result<SendResult> sent = (*queue)->Send(std::move(*request));
    if (!sent.ok()) {
      out.failed.push_back(ToBatchError(id, sent.status()));
      continue;
    }
    out.successful.push_back(BatchResultEntry{id, std::move(*sent)});
  }
  return out;
}

bool WantsAttribute(const std::set<std::string>& names, const std::string& name) {
  return names.count("All") || names.count(name);
}

bool WantsMessageAttribute(const std::vector<std::string>& names, const std::string& name) {
  for (const std::string& wanted : names) {
    if (wanted == "All" || wanted == ".*" || wanted == name) return true;
    if (wanted.size() > 2 && wanted.compare(wanted.size() - 2, 2, ".*") == 0 &&
        name.compare(0, wanted.size() - 1, wanted, 0, wanted.size() - 1) == 0) {
      return true;
    }
  }
  return false;
}

Result<SqsOutput> ReceiveMessage(SqsService& service, const SqsParams& p) {
  Result<std::shared_ptr<Queue>> queue = ResolveQueue(service, p);
  if (!queue.ok()) return queue.status();
  Result<std::optional<int>> max = p.OptionalInt("MaxNumberOfMessages");
  if (!max.ok()) return max.status();
  if (max->has_value() && (**max < 1 || **max > kMaxReceiveMessages)) {
    return InvalidParameterValue(
        fmt::format("Value {} for parameter MaxNumberOfMessages is invalid. Reason: Must be "
                    "between 1 and 10, if provided.",
                    **max));
  }
  Result<std::optional<int>> wait = p.OptionalInt("WaitTimeSeconds");
  if (!wait.ok()) return wait.status();
  if (wait->has_value() && (**wait < 0 || **wait > kMaxWaitSeconds)) {
    return InvalidParameterValue(
        fmt::format("Value {} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and "
                    "<= 20, if provided.",
                    **wait));
  }
  Result<std::optional<int>> visibility = p.OptionalInt("VisibilityTimeout");
  if (!visibility.ok()) return visibility.status();
  if (visibility->has_value() && (**visibility < 0 || **visibility > 43200)) {
    return InvalidParameterValue(
        fmt::format("Value {} for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 "
                    "and <= 43200, if provided.",
                    **visibility));
  }
  std::set<std::string> system_names;
  for (std::string_view list : {"AttributeNames", "MessageSystemAttributeNames"}) {
    Result<std::vector<std::string>> names = p.StringList(list);
    if (!names.ok()) return names.status();
    system_names.insert(names->begin(), names->end());
  }
  Result<std::vector<std::string>> message_names = p.StringList("MessageAttributeNames");
  if (!message_names.ok()) return message_names.status();

  ReceiveOptions options;
  options.max_messages = size_t(max->value_or(1));
  options.wait = std::chrono::seconds(wait->value_or((*queue)->config().receive_message_wait_time));
  options.visibility_timeout = *visibility;
  SqsOutput out;
  out.kind = Kind::kReceiveMessage;
  out.messages = service.ReceiveFrom(**queue, options);
  for (ReceivedMessage& m : out.messages) {
    std::erase_if(m.attributes,
                  [&](const auto& entry) { return !WantsAttribute(system_names, entry.first); });
    std::erase_if(m.message_attributes, [&](const auto& entry) {
      return !WantsMessageAttribute(*message_names, entry.first);
    });
  }
  return out;
}

Result<SqsOutput> DeleteMessage(SqsService& service, const SqsParams& p) {
  Result<std::shared_ptr<Queue>> queue = ResolveQueue(service, p);
  if (!queue.ok()) return queue.status();
  Result<std::string> handle = p.RequiredString("ReceiptHandle");
  if (!handle.ok()) return handle.status();
  if (Status s = (*queue)->Delete(*handle); !s.ok()) return s;
  return SqsOutput{};
}

Result<SqsOutput> DeleteMessageBatch(SqsService& service, const SqsParams& p) {
  Result<std::shared_ptr<Queue>> queue = ResolveQueue(service, p);
  if (!queue.ok()) return queue.status();
  Result<std::vector<SqsParams>> entries = BatchEntries(p, "DeleteMessageBatchRequestEntry");
  if (!entries.ok()) return entries.status();
  SqsOutput out;
  out.kind = Kind::kBatch;
  for (const SqsParams& entry : *entries) {
    std::string id = EntryId(entry);
    Result<std::string> handle = entry.RequiredString("ReceiptHandle");
    Status s = handle.ok() ? (*queue)->Delete(*handle) : handle.status();
    if (s.ok()) {
      out.successful.push_back(BatchResultEntry{std::move(id), std::nullopt});
    } else {
      out.failed.push_back(ToBatchError(std::move(id), s));
    }
  }
  return out;
}

Status ChangeOne(Queue& queue, const SqsParams& p) {
  Result<std::string> handle = p.RequiredString("ReceiptHandle");
  if (!handle.ok()) return handle.status();
  Result<std::optional<int>> timeout = p.OptionalInt("VisibilityTimeout");
  if (!timeout.ok()) return timeout.status();
  if (!timeout->has_value()) return MissingParameter("VisibilityTimeout");
  return queue.ChangeVisibility(*handle, **timeout);
}

Result<SqsOutput> ChangeMessageVisibility(SqsService& service, const SqsParams& p) {
  Result<std::shared_ptr<Queue>> queue = ResolveQueue(service, p);
  if (!queue.ok()) return queue.status();
  if (Status s = ChangeOne(**queue, p); !s.ok()) return s;
  return SqsOutput{};
}

Result<SqsOutput> ChangeMessageVisibilityBatch(SqsService& service, const SqsParams& p) {
  Result<std::shared_ptr<Queue>> queue = ResolveQueue(service, p);
  if (!queue.ok()) return queue.status();
  Result<std::vector<SqsParams>> entries =
      BatchEntries(p, "ChangeMessageVisibilityBatchRequestEntry");
  if (!entries.ok()) return entries.status();
  SqsOutput out;
  out.kind = Kind::kBatch;
  for (const SqsParams& entry : *entries) {
    std::string id = EntryId(entry);
    if (Status s = ChangeOne(**queue, entry); s.ok()) {
      out.successful.push_back(BatchResultEntry{std::move(id), std::nullopt});
    } else {
      out.failed.push_back(ToBatchError(std::move(id), s));
    }
  }
  return out;
}

Result<SqsOutput> PurgeQueue(SqsService& service, const SqsParams& p) {
  Result<std::shared_ptr<Queue>> queue = ResolveQueue(service, p);
  if (!queue.ok()) return queue.status();
  Status purged = (*queue)->Purge();
  if (!purged.ok()) return purged;
  return SqsOutput{};
}

}  // namespace

std::optional<Result<SqsOutput>> ExecuteMessageOperation(SqsService& service, const SqsCall& call,
                                                         const SqsParams& p) {
  const std::string& op = call.operation;
  if (op == "SendMessage") return SendMessage(service, p);
  if (op == "SendMessageBatch") return SendMessageBatch(service, p);
  if (op == "ReceiveMessage") return ReceiveMessage(service, p);
  if (op == "DeleteMessage") return DeleteMessage(service, p);
  if (op == "DeleteMessageBatch") return DeleteMessageBatch(service, p);
  if (op == "ChangeMessageVisibility") return ChangeMessageVisibility(service, p);
  if (op == "ChangeMessageVisibilityBatch") return ChangeMessageVisibilityBatch(service, p);
  if (op == "PurgeQueue") return PurgeQueue(service, p);
  return std::nullopt;
}

}  // namespace ll::sqs
