// Puts S3 on the front port: the service, with its objects under <state folder>/s3. The one
// call the app makes for S3.
#pragma once

#include "services/service.h"

namespace ll::s3 {

// An error when the S3 folder cannot be made.
Status InstallS3(ServiceContext& context);

}  // namespace ll::s3
