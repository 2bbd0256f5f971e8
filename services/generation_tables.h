// Writing a projection generation that is being rebuilt as table files of its own, moved into
// its families whole (RocksDB's external file ingestion), rather than through the memtables.
//
// A rebuild writes every view, cohort entry and alert once, and nothing reads them before the
// switch. Through the memtables each entry was copied into a skip list in random order, and the
// lot was sorted again and written by one flush at the switch: a fifth of the fold's time, then
// a pause. Here each folding thread writes table files of its own, in parallel with the other
// threads; one ingestion per family at the end makes them part of the generation, durable,
// before the switch.
//
// Each thread folds its persons in ascending order, so its views (keyed by person) come in key
// order: they go straight into a table file, and nothing holds them. Cohort entries and alerts
// are keyed otherwise: they are copied and held, and written out sorted once a thread holds
// kBytesPerFile of them, and at Finish.

#ifndef THROUGHLINE_SERVICES_GENERATION_TABLES_H_
#define THROUGHLINE_SERVICES_GENERATION_TABLES_H_

#include <array>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <rocksdb/sst_file_writer.h>
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
  // Adds the puts of `batch`, which may hold puts into the generation's families only; the
  // caller may clear and reuse it at once. Writer `w`'s thread alone calls this for its `w`, and
  // its views must come in ascending key order, each key once (InvalidArgument otherwise). Of
  // the other families, the last of equal keys is kept.
  Status Add(int w, const rocksdb::WriteBatch& batch);
  // Writes out what writer `w` still holds, and closes its table file of views; from its thread.
  Status Finish(int w);
  // Moves every file into its family. After every writer has finished.
  Status Ingest();

  static constexpr std::size_t kBytesPerFile = 32 << 20;

 private:
  struct Writer {
    rocksdb::WriteBatch held;                       // cohort entries and alerts, copied
    std::unique_ptr<rocksdb::SstFileWriter> views;  // the open table file of views, if any
    std::optional<std::string> last_view;           // the last view's key written, any file
    std::array<std::vector<std::string>, 3> files;  // by family, as in ProjectionFamilies
  };
  class Splitter;

  Status PutView(int w, const rocksdb::Slice& key, const rocksdb::Slice& value);
  Status CloseViews(int w);
  Status WriteOutHeld(int w);
  // A new table file of writer `w` for family `f`, opened, into `*table`.
  Status OpenTable(int w, std::size_t f, std::unique_ptr<rocksdb::SstFileWriter>* table);
  Status FinishTable(int w, std::size_t f, rocksdb::SstFileWriter* table);

  EventStore* store_;
  ProjectionFamilies generation_;
  std::string dir_;
  std::vector<Writer> writers_;
};

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_GENERATION_TABLES_H_
