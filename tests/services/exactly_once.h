// What the fault tests check at the end: the store holds each published event exactly once
// and is whole (hash chain, indexes, every view equal to a fresh fold).

#ifndef THROUGHLINE_TESTS_SERVICES_EXACTLY_ONCE_H_
#define THROUGHLINE_TESTS_SERVICES_EXACTLY_ONCE_H_

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "events/envelope_parser.h"
#include "services/event_store.h"
#include "services/log_verifier.h"

namespace throughline::testing {

// Each of `unique` (valid envelopes with distinct ids) is in the log once, under its (source,
// id), and nothing else is; VerifyStore finds nothing wrong.
inline void ExpectEachOnce(const services::EventStore& store,
                           const std::vector<std::string>& unique) {
  CHECK(store.state().next_sequence == unique.size() + 1);
  events::EnvelopeParser parser;
  std::set<std::uint64_t> sequences;
  std::size_t missing = 0;
  for (const auto& json : unique) {
    auto parsed = parser.Parse(json);
    REQUIRE(parsed.ok());
    if (auto sequence = store.FindIdempotent(parsed.event.source, parsed.event.id))
      sequences.insert(*sequence);
    else
      ++missing;
  }
  CHECK(missing == 0);
  CHECK(sequences.size() == unique.size());
  const services::VerifyReport report = services::VerifyStore(store);
  INFO(fmt::format("{}", fmt::join(report.problems, "\n")));
  CHECK(report.ok());
  CHECK(report.records == unique.size());
}

// The Kafka offsets the log's records came from, per (topic, partition), in log order.
inline std::map<std::pair<std::string, std::int32_t>, std::vector<std::int64_t>> RecordOffsets(
    const services::EventStore& store) {
  std::map<std::pair<std::string, std::int32_t>, std::vector<std::int64_t>> out;
  for (std::uint64_t s = 1; s < store.state().next_sequence; ++s) {
    auto record = store.ReadRecord(s);
    REQUIRE(record.ok());
    out[{record->origin.topic, record->origin.partition}].push_back(record->origin.offset);
  }
  return out;
}

// Offsets from..to-1, each once and in order: a partition read with nothing lost or doubled.
inline bool Contiguous(const std::vector<std::int64_t>& offsets, std::int64_t from,
                       std::int64_t to) {
  if (offsets.size() != static_cast<std::size_t>(to - from))
    return false;
  for (std::size_t i = 0; i < offsets.size(); ++i) {
    if (offsets[i] != from + static_cast<std::int64_t>(i))
      return false;
  }
  return true;
}

}  // namespace throughline::testing

#endif  // THROUGHLINE_TESTS_SERVICES_EXACTLY_ONCE_H_
