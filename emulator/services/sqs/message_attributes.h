// Message validation and digests as SQS computes them: MD5OfMessageBody,
// MD5OfMessageAttributes / MD5OfMessageSystemAttributes, the body's character set, attribute
// rules and the size a message counts against MaximumMessageSize.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/digest.h"  // Md5Hex, Sha256Hex
#include "base/status.h"
#include "services/sqs/message.h"

namespace ll::sqs {


// AWS's digest of message attributes: for each attribute in name order, the 4-byte big-endian
// length and bytes of its name, the same of its data type, one transport byte (1 for String
// and Number, 2 for Binary), then the length and bytes of its value. "" when `attributes` is
// empty.
std::string MessageAttributesMd5(const MessageAttributes& attributes);

// InvalidMessageContents when `text` holds a character outside #x9 | #xA | #xD | #x20-#xD7FF |
// #xE000-#xFFFD | #x10000-#x10FFFF (or is not UTF-8). `where` names the text in the message,
// e.g. "message body".
Status ValidateCharacters(std::string_view text, std::string_view where);

// The rules of SendMessage's MessageAttributes: names, data types, values, at most 10.
Status ValidateMessageAttributes(const MessageAttributes& attributes);
// MessageSystemAttributes: only AWSTraceHeader, a String.
Status ValidateSystemAttributes(const MessageAttributes& attributes);

// Bytes a message counts against MaximumMessageSize: the body plus each attribute's name, data
// type and value.
size_t MessageSize(const SendRequest& request);

}  // namespace ll::sqs
