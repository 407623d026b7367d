// Puts SNS on the front port: the service, its signing certificate (kept under
// <state folder>/sns), the "sns" destination, and the template's topics and subscriptions.
// The one call the app makes for SNS.
#pragma once

#include "services/service.h"

namespace ll::sns {

// An error when the signing key cannot be made or read.
Status InstallSns(ServiceContext& context);

}  // namespace ll::sns
