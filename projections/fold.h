// The fold: one person's events in, their ProjectionState (view and alerts) out. A pure
// function, with no I/O, so it is tested in microseconds and rebuilt anywhere.
//
// Order: events are applied in the order they happened, (event time, source, id). The tie-break
// is the event's own identity, not its log position, so the same set of events gives the same
// view whatever order it arrived in (the brief's "log position" tie-break would make a view
// depend on arrival when two events share a time). Retracted events are left out, and so are
// repeats of one (source, id).
//
// Incremental: an event that sorts after everything already folded can be applied to the
// stored state (FollowsFold, Apply); the result is exactly what a full fold would give. Late
// events, retractions and identity changes need a full fold.

#ifndef THROUGHLINE_PROJECTIONS_FOLD_H_
#define THROUGHLINE_PROJECTIONS_FOLD_H_

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "events/event.h"
#include "projections/alert.h"
#include "projections/person_view.h"

namespace throughline::projections {

// One event of the person, as the log holds it.
struct FoldInput {
  std::uint64_t sequence = 0;
  events::Timestamp appended_at;  // transaction time, for bitemporal folds
  events::Event event;            // upcast to the current version
  std::uint32_t identity_conflicts = 0;
};

struct ProjectionState {
  PersonView view;
  std::vector<Alert> alerts;  // raised and pending, in the order the fold met them

  template <class V>
  static void Fields(V& v) {
    v(&ProjectionState::view, {.name = "view", .doc = ""});
    v(&ProjectionState::alerts, {.name = "alerts", .doc = "", .max_items = 60000});
  }
  bool operator==(const ProjectionState&) const = default;
};

// False when the fold met nothing to show (no events, no retraction): a person known only by
// identifiers, e.g. after an unmerge gave them back, has no view stored.
inline bool HasView(const ProjectionState& state) {
  return state.view.events > 0 || !state.view.retracted.empty();
}

// Folds every event of `person`.
ProjectionState Fold(std::uint64_t person, std::span<const FoldInput> inputs);

// A FoldInput whose event lives elsewhere, for applying events held by someone else (the
// writer's batch) without a copy: an event is about 500 bytes, with strings of its own.
struct FoldInputRef {
  std::uint64_t sequence = 0;
  events::Timestamp appended_at;
  const events::Event* event = nullptr;  // upcast to the current version
  std::uint32_t identity_conflicts = 0;
};

// True when `event` can be applied to `state` and give what a full fold would.
bool FollowsFold(const ProjectionState& state, const events::Event& event);
bool FollowsFold(const ProjectionState& state, const FoldInput& input);

// Applies one event that follows the fold.
void Apply(ProjectionState* state, const FoldInput& input);
void Apply(ProjectionState* state, const FoldInputRef& input);

// The state as it stands at `t` with nothing new published: the time-bound states whose dates
// have passed by then end (bail after its answer date, a licence or supervision after its end
// date, a suspended sentence after its length) and the stage follows. A fold ages the state
// only as far as its last event, so that the stored view is a function of the events alone;
// readers age it to the moment they show (FoldAt to its as-of, a view shown today to today).
void AgeTo(ProjectionState* state, events::Timestamp t);

// What was known: the log up to a sequence, or up to an append time (either, or both).
struct Knowledge {
  std::optional<std::uint64_t> sequence;
  std::optional<events::Timestamp> time;
  bool Knows(const FoldInput& input) const {
    return (!sequence || input.sequence <= *sequence) && (!time || input.appended_at <= *time);
  }
};

// Bitemporal: the person as they stood at `as_of` (events that happened by then; absent: all;
// aged to `as_of`) as it was known at `known` (events in the log by then). Only the retractions
// known by then are honoured, whatever their own time.
ProjectionState FoldAt(std::uint64_t person, std::vector<FoldInput> inputs,
                       std::optional<events::Timestamp> as_of, const Knowledge& known);

}  // namespace throughline::projections

#endif  // THROUGHLINE_PROJECTIONS_FOLD_H_
