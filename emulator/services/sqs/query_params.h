// The query protocol's input: form-encoded parameters ("Attribute.1.Name=VisibilityTimeout"),
// turned into the JSON protocol's input shape ({"Attributes":{"VisibilityTimeout":...}}) so one
// set of operations serves both protocols.
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/form_params.h"

namespace ll::sqs {

// Builds the JSON input shape of `operation` from flattened query parameters: numbered lists
// ("AttributeName.1", "SendMessageBatchRequestEntry.2.Id") become arrays, numbered Name/Key +
// Value pairs ("Attribute.1.Name", "Tag.1.Key", "MessageAttribute.1.Value.DataType") become
// maps, and the query member names become the JSON ones ("Attribute" -> "Attributes",
// "Tag" -> "tags" for CreateQueue and "Tags" otherwise, "...BatchRequestEntry" -> "Entries").
// Scalars stay strings. Action and Version are dropped.
rapidjson::Document QueryParamsToJson(const FormParams& params, std::string_view operation);

}  // namespace ll::sqs
