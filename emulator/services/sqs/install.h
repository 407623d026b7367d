// Puts SQS on the front port: the service, its queues as async destinations ("sqs" ARNs),
// and its queues as event sources for mappings. The one call the app makes for SQS.
#pragma once

#include "services/service.h"

namespace ll::sqs {

void InstallSqs(ServiceContext& context);

}  // namespace ll::sqs
