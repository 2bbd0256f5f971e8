// ProjectedLog: the LogWriter with the Projector hooked into every batch, as everything that
// appends to the log runs it (the engine, `throughline import`, tests). Views, cohorts and
// alerts are written in the same WriteBatch as the events they follow, so they are never
// behind or ahead of the log.
//
// Opening first rebuilds views that were built by other projection code (rebuilder.h), so
// nothing new is ever folded into a view of another version.
//
// Not thread-safe: one writer thread owns it, as it owns the LogWriter.

#ifndef THROUGHLINE_SERVICES_PROJECTED_LOG_H_
#define THROUGHLINE_SERVICES_PROJECTED_LOG_H_

#include <memory>

#include "events/status.h"
#include "services/clock.h"
#include "services/event_store.h"
#include "services/log_writer.h"
#include "services/projector.h"

namespace throughline::services {

class ProjectedLog {
 public:
  // `store` and `clock` must outlive the ProjectedLog. Fails when a needed rebuild fails.
  static Result<std::unique_ptr<ProjectedLog>> Open(EventStore* store, const Clock* clock);
  // Without the rebuild: the caller runs RebuildIfStale (rebuilder.h) before the first Append,
  // as the engine does on its writer thread while its API already serves.
  static std::unique_ptr<ProjectedLog> OpenWithoutRebuild(EventStore* store, const Clock* clock);

  LogWriter& writer() { return writer_; }
  Projector& projector() { return projector_; }

 private:
  ProjectedLog(EventStore* store, const Clock* clock);

  Projector projector_;
  LogWriter writer_;
};

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_PROJECTED_LOG_H_
