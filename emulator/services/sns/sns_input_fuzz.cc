// libFuzzer target for what SNS reads from clients: filter policies (parsed in either scope,
// then matched against the input's own bytes as a message body and as attributes), delivery
// policies, and whole query-protocol requests handled by a live service (no state kept, no
// destinations). The first byte chooses which; nothing may crash or hang, and a request must
// always get an XML answer with a status AWS uses.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "invoke/destinations.h"
#include "services/sns/delivery_policy.h"
#include "services/sns/filter_policy.h"
#include "services/sns/sns_query.h"
#include "services/sns/sns_service.h"

namespace {

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "sns_input_fuzz: %s\n", what);
    std::abort();
  }
}

ll::sns::SnsService& Service() {
  static ll::Destinations destinations;  // none registered: every delivery fails, reported
  static ll::sns::SnsService* sns = [] {
    auto signer = ll::sns::MessageSigner::Open("");
    Check(signer.ok(), "no signer");
    return new ll::sns::SnsService({}, nullptr, &destinations, std::move(signer.value()),
                                   [](const std::string&) {});
  }();
  return *sns;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0:
    case 1: {
      const auto scope = data[0] % 4 == 0 ? ll::sns::FilterPolicyScope::kMessageAttributes
                                          : ll::sns::FilterPolicyScope::kMessageBody;
      auto policy = ll::sns::FilterPolicy::Parse(in, scope);
      if (!policy.ok()) {
        Check(policy.status().code() == "InvalidParameter", "a policy refused with another code");
        break;
      }
      (void)policy.value().MatchesBody(in);
      ll::sns::MessageAttributes attributes;
      attributes["a"] = {"String", std::string(in.substr(0, 16)), ""};
      attributes["n"] = {"Number", "12.5", ""};
      attributes["l"] = {"String.Array", std::string(in), ""};
      (void)policy.value().MatchesAttributes(attributes);
      break;
    }
    case 2: {
      (void)ll::sns::ValidateTopicDeliveryPolicy(in);
      (void)ll::sns::ValidateSubscriptionDeliveryPolicy(in);
      auto delays = ll::sns::RetryDelays(ll::sns::EffectiveRetryPolicy(in, in));
      Check(delays.size() <= 100, "more retries than AWS allows");
      break;
    }
    case 3: {
      const size_t cut = in.find('\n');
      const std::string_view query = cut == std::string_view::npos ? std::string_view() : in.substr(0, cut);
      const std::string_view body = cut == std::string_view::npos ? in : in.substr(cut + 1);
      ll::sns::SnsHttpResponse res = ll::sns::HandleSnsQuery(Service(), query, body);
      Check(res.status == 200 || res.status == 400 || res.status == 403 || res.status == 404 ||
                res.status == 500,
            "a status AWS does not use");
      Check(res.body.rfind("<?xml", 0) == 0, "an answer that is not XML");
      break;
    }
  }
  return 0;
}
