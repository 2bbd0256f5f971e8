// The store as the commands that only read it open it (view, log, audit, admin stats,
// replay --to-topic): beside a running engine, which keeps writing, or with none.

#ifndef THROUGHLINE_TOOLS_STORE_READER_H_
#define THROUGHLINE_TOOLS_STORE_READER_H_

#include <memory>
#include <string>

#include "events/status.h"
#include "services/event_store.h"

namespace throughline::tools {

// A secondary of the store in `data` (services::OpenMode::kSecondary), with a block cache
// sized for one command's reads rather than the engine's.
Result<std::unique_ptr<services::EventStore>> OpenStoreToRead(const std::string& data);

}  // namespace throughline::tools

#endif  // THROUGHLINE_TOOLS_STORE_READER_H_
