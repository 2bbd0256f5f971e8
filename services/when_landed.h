// WhenLanded: what a batch does once it is written, and only then: its log lines
// ("alert.raised", "ingest.dead_letter", "identity.linked") and the counts that go with them.
// A batch that a failed write drops is appended again (log_writer.h), and would otherwise say
// them twice, or say them of something that was never stored. The writer runs them in order,
// on its own thread, when the batch lands.

#ifndef THROUGHLINE_SERVICES_WHEN_LANDED_H_
#define THROUGHLINE_SERVICES_WHEN_LANDED_H_

#include <functional>
#include <vector>

namespace throughline::services {

using WhenLanded = std::vector<std::function<void()>>;

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_WHEN_LANDED_H_
