// Writing a projection generation that is being rebuilt as table files of its own, moved into
// its families whole (RocksDB's external file ingestion), rather than through the memtables.
//
// A rebuild writes every view, cohort entry and alert once, and nothing reads them before the
// switch. Through the memtables each entry was copied into a skip list in random order, and the
// lot was sorted again and written by one flush at the switch: a fifth of the fold's time, then
// a pause. Here each folding thread keeps its own batches, and sorts and writes them out as
// table files when they pass a size, in parallel with the other thread; one ingestion per
// family at the end makes them part of the generation, durable, before the switch.

#ifndef THROUGHLINE_SERVICES_GENERATION_TABLES_H_
#define THROUGHLINE_SERVICES_GENERATION_TABLES_H_

#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include <rocksdb/write_batch.h>

#include "events/status.h"
#include "services/event_store.h"

namespace throughline::services {

class GenerationTables {
 public:
  // Files go into `dir`, which is emptied first and removed with this. `writers` threads add.
  GenerationTables(EventStore* store, const ProjectionFamilies& generation, std::string dir,
                   int writers);
  ~GenerationTables();
  GenerationTables(const GenerationTables&) = delete;
  GenerationTables& operator=(const GenerationTables&) = delete;

  Status Prepare();
  // Takes `batch`, which holds puts into the generation's families only; writer `w`'s thread
  // alone calls this for its `w`. Its puts are written out, sorted, once the writer holds
  // kBytesPerFile, and at Finish.
  Status Add(int w, rocksdb::WriteBatch&& batch);
  // Writes out what writer `w` still holds; from its thread.
  Status Finish(int w);
  // Moves every file into its family. After every writer has finished.
  Status Ingest();

  static constexpr std::size_t kBytesPerFile = 32 << 20;

 private:
  struct Writer {
    std::vector<rocksdb::WriteBatch> held;
    std::size_t held_bytes = 0;
    std::array<std::vector<std::string>, 3> files;  // by family
  };
  Status WriteOut(int w);

  EventStore* store_;
  ProjectionFamilies generation_;
  std::string dir_;
  std::vector<Writer> writers_;
};

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_GENERATION_TABLES_H_
