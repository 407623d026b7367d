// The JSON SNS delivers, built from a published message: the notification envelope of SQS and
// HTTP/S subscribers, the Lambda event, and the subscription confirmation, each signed.
#pragma once

#include <string>
#include <string_view>

#include "services/sns/message.h"
#include "services/sns/signing.h"

namespace ll::sns {

// What one subscription adds to a message it is sent.
struct DeliveryContext {
  std::string subscription_arn;
  std::string unsubscribe_url;
  std::string signing_cert_url;
  int signature_version = 1;  // the topic's SignatureVersion
};

// The text `protocol` gets: its own entry of a MessageStructure=json message, else the default.
const std::string& MessageFor(const PublishedMessage& message, std::string_view protocol);

// The Signature of a notification of `message` with `text` (the same for every subscriber
// that gets that text): RSA over AWS's string to sign, SHA1 (version 1) or SHA256 (2).
std::string NotificationSignature(const PublishedMessage& message, std::string_view text,
                                  int signature_version, const MessageSigner& signer);

// {"Type":"Notification","MessageId":...,"TopicArn":...,"Subject":...(when given),"Message":...,
//  "Timestamp":...,"SignatureVersion":...,"Signature":...,"SigningCertURL":...,
//  "UnsubscribeURL":...,"MessageAttributes":{...}(when any)}
std::string NotificationEnvelope(const PublishedMessage& message, std::string_view text,
                                 const DeliveryContext& context, std::string_view signature);

// {"Records":[{"EventVersion":"1.0","EventSubscriptionArn":...,"EventSource":"aws:sns",
//  "Sns":{...}}]}: the fields of the envelope, with SigningCertUrl / UnsubscribeUrl spelled as
// Lambda spells them and Subject null when none was given.
std::string LambdaEvent(const PublishedMessage& message, std::string_view text,
                        const DeliveryContext& context, std::string_view signature);

// The SubscriptionConfirmation an HTTP/S endpoint is sent when it subscribes.
struct Confirmation {
  std::string message_id;
  std::string topic_arn;
  std::string token;
  std::string subscribe_url;
  int64_t timestamp_ms = 0;
};
std::string ConfirmationEnvelope(const Confirmation& confirmation, int signature_version,
                                 const std::string& signing_cert_url, const MessageSigner& signer);

}  // namespace ll::sns
