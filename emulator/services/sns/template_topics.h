// The template's SNS resources, made real at start: topics (created, or their attributes set
// again when kept from an earlier run) and subscriptions.
#pragma once

#include "services/sns/sns_service.h"
#include "template/template_loader.h"

namespace ll::sns {

// InvalidTemplate naming the resource when SNS refuses one.
Status ProvisionTopics(const LoadedTemplate& loaded, SnsService& sns);

}  // namespace ll::sns
