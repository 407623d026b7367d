// SNS message signatures, so a subscriber that verifies them (the AWS SDKs' message validators,
// sns-validator, AWS's documented procedure) accepts lambda-local's deliveries once told to trust
// its SigningCertURL. StringToSign builds the text AWS signs; MessageSigner keeps an RSA-2048 key
// and a self-signed certificate for it (subject CN=sns.amazonaws.com, O=lambda-local, as
// validators that look at the subject expect) and signs with SHA1 (SignatureVersion 1) or
// SHA256 (SignatureVersion 2), PKCS#1 v1.5 padding, base64 as the Signature field carries it.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "base/status.h"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY

namespace ll::sns {

// The fields of a message that are signed.
struct SignedFields {
  std::string type;  // "Notification", "SubscriptionConfirmation", "UnsubscribeConfirmation"
  std::string message;
  std::string message_id;
  std::optional<std::string> subject;  // Notification only, when given
  std::string subscribe_url;           // confirmations
  std::string timestamp;               // "2024-01-02T03:04:05.678Z"
  std::string token;                   // confirmations
  std::string topic_arn;
};

// "Key\nValue\n" for each signed key in byte order of the key names: for a Notification Message,
// MessageId, Subject (only when it has a value, even an empty one), Timestamp, TopicArn, Type;
// for any other type Message, MessageId, SubscribeURL, Timestamp, Token, TopicArn, Type.
// Values are the raw strings, as the subscriber has them after parsing the JSON.
std::string StringToSign(const SignedFields& fields);

// Signs SNS messages with one key. Move-only. Sign is const and safe to call from many threads
// at once (the key is only read; each call has its own digest context).
class MessageSigner {
 public:
  // Loads the RSA-2048 key and self-signed X.509 certificate kept in `dir` (files signing-key.pem,
  // signing-cert.pem, key file mode 0600), or makes and keeps new ones, so the certificate stays the
  // same across restarts. An empty dir: made in memory only. A key without a certificate, or with
  // an expired one, gets a new certificate; a key that does not match its certificate, or a file
  // that does not parse, is an error ("InternalError") rather than silently replaced, since
  // subscribers may trust the certificate.
  static Result<MessageSigner> Open(const std::filesystem::path& dir);

  MessageSigner(MessageSigner&&) noexcept;
  MessageSigner& operator=(MessageSigner&&) noexcept;
  ~MessageSigner();

  // The certificate in PEM ("-----BEGIN CERTIFICATE-----..."), as served at SigningCertURL.
  const std::string& certificate_pem() const { return certificate_pem_; }

  // Base64 RSA signature of StringToSign(fields): SHA1 for version 1, SHA256 for version 2 (any
  // other version signs as 1, SNS's default). "" only if OpenSSL refuses, e.g. a system crypto
  // policy that forbids SHA1 signatures.
  std::string Sign(const SignedFields& fields, int signature_version) const;

 private:
  struct KeyFree {
    void operator()(evp_pkey_st* key) const;
  };
  using KeyPtr = std::unique_ptr<evp_pkey_st, KeyFree>;
  MessageSigner(KeyPtr key, std::string certificate_pem);

  KeyPtr key_;
  std::string certificate_pem_;
};

}  // namespace ll::sns
