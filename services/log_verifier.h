// VerifyStore: checks a store end to end, for `throughline verify`.
//
// - the hash chain: records 1..N present with no gap, each decodes, each carries the hash of
//   the one before, and the metadata holds the hash of the last;
// - the indexes: every record is in the idempotency index and under exactly one current person
//   in the person index, at its event time; no index entry points at nothing;
// - identity: every identifier resolves to a current person that lists it, and back;
// - dead letters: every one decodes;
// - projections: every current person's stored view and alerts equal a fresh fold of the log,
//   and the cohort and alert indexes hold exactly what those views and alerts call for.
//
// Reads everything once, in key order; memory is a few bytes per record.

#ifndef THROUGHLINE_SERVICES_LOG_VERIFIER_H_
#define THROUGHLINE_SERVICES_LOG_VERIFIER_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "services/event_store.h"

namespace throughline::services {

struct VerifyReport {
  std::uint64_t records = 0;
  std::uint64_t persons = 0;
  std::uint64_t person_index_entries = 0;
  std::uint64_t identifiers = 0;
  std::uint64_t dead_letters = 0;
  std::uint64_t views = 0;
  // The first record at which the hash chain breaks, if it does.
  std::optional<std::uint64_t> first_chain_break;
  // What is wrong, the first few of each check, for people.
  std::vector<std::string> problems;
  bool ok() const { return problems.empty(); }
};

// `progress(done, total)` is called every so often while records are checked.
// `now` decides which time-based alerts should be raised by now.
VerifyReport VerifyStore(const EventStore& store,
                         const std::function<void(std::uint64_t, std::uint64_t)>& progress = {},
                         std::optional<events::Timestamp> now = std::nullopt);

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_LOG_VERIFIER_H_
