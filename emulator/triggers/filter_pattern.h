// FilterPattern: one FilterCriteria.Filters[i].Pattern of an event source mapping, in the
// EventBridge content-filtering syntax Lambda uses to decide which records reach a function.
// Parsed once, then immutable: copies are cheap and Matches may run on any thread.
#pragma once

#include <rapidjson/document.h>

#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace ll {

class FilterPattern {
 public:
  // InvalidParameterValueException ("Invalid filter pattern definition. ...") when the pattern
  // is not a JSON object of nested objects whose leaves are non-empty arrays of match conditions.
  static Result<FilterPattern> Parse(std::string_view pattern_json);

  // True when `record` (a JSON object) satisfies every key of the pattern: AND across keys,
  // OR within a leaf's array, "any element" when the record holds an array. No body rule.
  bool Matches(const rapidjson::Value& record) const;

  // Matches with Lambda's SQS body rule. A body that parses as a JSON object or array is matched
  // only by a pattern whose "body" is an object; any other body (plain text, or a bare JSON
  // scalar) only by a pattern whose "body" is an array of conditions. A mismatch drops the record.
  bool MatchesSqsRecord(const rapidjson::Value& record) const;

  struct Tree;  // the parsed pattern; defined in filter_pattern.cc

 private:
  explicit FilterPattern(std::shared_ptr<const Tree> tree) : tree_(std::move(tree)) {}
  std::shared_ptr<const Tree> tree_;  // never null
};

// FilterCriteria semantics for records of an SQS event source mapping: no filters keep every
// record; otherwise a record is kept when ANY filter matches (FilterPattern::MatchesSqsRecord).
bool MatchesAnySqsRecord(const std::vector<FilterPattern>& filters, const rapidjson::Value& record);

}  // namespace ll
