// The template's buckets made real at start: each AWS::S3::Bucket created (or kept from an
// earlier run), with its NotificationConfiguration and the functions' `Events: Type: S3` as
// its notification configuration, its versioning status and tags.
#pragma once

#include "base/status.h"
#include "services/s3/notifier.h"
#include "services/s3/s3_service.h"
#include "template/template_loader.h"

namespace ll::s3 {

Status ProvisionBuckets(const LoadedTemplate& loaded, S3Service& s3, Notifier& notifier);

}  // namespace ll::s3
