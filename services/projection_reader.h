// Reading the projections: a person's stored state, their events as fold inputs, a fresh or
// bitemporal fold, cohorts and alerts. Thread-safe (RocksDB reads).

#ifndef THROUGHLINE_SERVICES_PROJECTION_READER_H_
#define THROUGHLINE_SERVICES_PROJECTION_READER_H_

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "events/status.h"
#include "projections/alert.h"
#include "projections/fold.h"
#include "services/event_store.h"
#include "services/log_record.h"
#include "services/store_view.h"

namespace throughline::services {

// A log record as the fold takes it, the event decoded and upcast, from just the parts the fold
// uses (of a record parsed in place: LogRecordView). Into `*out`, reusing the memory of the
// event it held (events::DecodeEvent).
Status ToFoldInput(std::uint64_t sequence, events::Timestamp appended_at,
                   std::uint32_t identity_conflicts, std::string_view event,
                   projections::FoldInput* out);

// Log records as fold inputs, into `*inputs` (resized to match), reusing the memory of the
// events it held: a caller folding person after person keeps one vector.
Status ToFoldInputs(const std::vector<LogRecord>& records,
                    std::vector<projections::FoldInput>* inputs);

// Every event of a person, from the store.
Result<std::vector<projections::FoldInput>> LoadFoldInputs(const EventStore& store,
                                                           std::uint64_t person);

// The stored state of a person; NotFound when there is none.
Result<projections::ProjectionState> ReadProjection(const EventStore& store, std::uint64_t person);
// The stored states of many persons, in one MultiGet. Persons without one are left out, and so
// are states of a projection version this build does not read (they are folded afresh).
Result<std::map<std::uint64_t, projections::ProjectionState>> ReadProjections(
    StoreView store, const std::vector<std::uint64_t>& persons);

// Folds a person afresh from the log (for verify, rebuild and --fold).
Result<projections::ProjectionState> FoldFromLog(const EventStore& store, std::uint64_t person);

// The person as they stood at `as_of`, as known at `known` (projections/fold.h, FoldAt).
Result<projections::ProjectionState> FoldFromLogAt(const EventStore& store, std::uint64_t person,
                                                   std::optional<events::Timestamp> as_of,
                                                   const projections::Knowledge& known);

// A person's record as it stood at `as_of` (absent: now) and as known at `known`: the state
// FoldAt gives, and the events behind it in fold order (time, source, id), each marked when a
// known retraction withdrew it. Retractions are listed too. For investigators (replay), the
// timeline endpoint and `throughline view`.
struct TimelineEntry {
  std::uint64_t sequence = 0;
  events::Timestamp appended_at;
  events::Event event;  // upcast
  bool retracted = false;
};
struct Replay {
  projections::ProjectionState state;
  std::vector<TimelineEntry> timeline;
};
Result<Replay> ReplayPerson(const EventStore& store, std::uint64_t person,
                            std::optional<events::Timestamp> as_of,
                            const projections::Knowledge& known);

// The persons of a cohort, by key prefix of the cohorts family (projections/cohorts.h), from
// `begin` up to (not including) `end` (empty: the end of the prefix), at most `limit`.
struct CohortMember {
  std::uint64_t person;
  std::string key;
  std::string value;
};
std::vector<CohortMember> ReadCohort(const EventStore& store, const std::string& prefix,
                                     const std::string& begin, const std::string& end,
                                     std::size_t limit);

// Raised alerts of one agency ("" for all), by event time in [since, before), oldest or
// newest first.
struct AlertQuery {
  std::string agency;
  events::Timestamp since{std::numeric_limits<std::int64_t>::min()};
  std::optional<events::Timestamp> before;
  std::size_t limit = 100;
  bool newest_first = false;
};
std::vector<projections::Alert> ReadAlerts(const EventStore& store, const AlertQuery& query);
// Oldest first, from `since`.
std::vector<projections::Alert> ReadAlerts(const EventStore& store, const std::string& agency,
                                           events::Timestamp since, std::size_t limit);

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_PROJECTION_READER_H_
