// A stretch of the log as the change feeds read it: the Kafka change topic (change_publisher.h)
// and the WebSocket subscriptions (change_window.h, subscription.h). Each record decoded, with
// the person it now belongs to and that person's stored state as it stands when read.

#ifndef THROUGHLINE_SERVICES_LOG_CHANGES_H_
#define THROUGHLINE_SERVICES_LOG_CHANGES_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "events/event.h"
#include "projections/fold.h"
#include "services/event_store.h"

namespace throughline::services {

struct LogChange {
  std::uint64_t sequence = 0;
  std::uint64_t person = 0;  // the current one: merges followed
  events::Event event;       // as stored (not upcast)
  // The person's state when read, shared by their changes in one read; null when there is none.
  std::shared_ptr<const projections::ProjectionState> state;
};

// The records from `from` to `last`, at most `max` of them: one MultiGet of the records and one
// of the states, each person's read once however many of their records the stretch holds (read
// one at a time, this cost as much CPU as ingest). An unreadable record is logged as
// `<feed>.unreadable` and left out, so that it does not stop the feed; `throughline verify`
// names it.
// `wanted`, when given, is asked of each change before its state is read (`state` still null):
// the changes it refuses are left out, and their states not read.
std::vector<LogChange> ReadLogChanges(
    const EventStore& store, std::uint64_t from, std::uint64_t last, std::size_t max,
    std::string_view feed, const std::function<bool(const LogChange&)>& wanted = nullptr);

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_LOG_CHANGES_H_
