#include "services/projected_log.h"

#include "services/rebuilder.h"

namespace throughline::services {

ProjectedLog::ProjectedLog(EventStore* store, const Clock* clock)
    : projector_(store, clock), writer_(store, clock) {
  writer_.AddHook(&projector_);
}

Result<std::unique_ptr<ProjectedLog>> ProjectedLog::Open(EventStore* store, const Clock* clock) {
  if (Status s = RebuildIfStale(store, *clock); !s.ok())
    return s;
  return OpenWithoutRebuild(store, clock);
}

std::unique_ptr<ProjectedLog> ProjectedLog::OpenWithoutRebuild(EventStore* store,
                                                               const Clock* clock) {
  return std::unique_ptr<ProjectedLog>(new ProjectedLog(store, clock));
}

}  // namespace throughline::services
