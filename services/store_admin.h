// Looking after a data directory: backups that are consistent while the engine runs, restores,
// and compaction (`throughline admin`, and the API's /v1/admin endpoints through which a
// running engine does them).

#ifndef THROUGHLINE_SERVICES_STORE_ADMIN_H_
#define THROUGHLINE_SERVICES_STORE_ADMIN_H_

#include <cstdint>
#include <string>

#include "events/status.h"
#include "services/event_store.h"

namespace throughline::services {

// Makes `to` a data directory holding a consistent copy of the store as it is now: a RocksDB
// checkpoint of the engine's own handle (SST files hard-linked when on the same file system,
// copied otherwise; the write-ahead log copied), so every batch is in it whole or not at all;
// and the tokens file beside it. `to` must not exist. `log_position` gets the last sequence the
// copy holds.
Status BackupStore(const EventStore& store, const std::string& to, std::uint64_t* log_position);

// Copies a backup (a data directory) into `data_dir`, which must hold no store; its tokens too,
// unless `data_dir` has a tokens file. The backup is left as it was.
Status RestoreStore(const std::string& backup, const std::string& data_dir);

// Compacts every column family: space back from deleted views and cohort entries.
Status CompactStore(const EventStore& store);

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_STORE_ADMIN_H_
