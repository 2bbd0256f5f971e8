#include "services/generation_tables.h"

#include <algorithm>
#include <filesystem>
#include <span>
#include <utility>

#include <fmt/format.h>
#include <rocksdb/comparator.h>
#include <rocksdb/sst_file_writer.h>

#include "services/sorted_entries.h"

namespace throughline::services {

GenerationTables::GenerationTables(EventStore* store, const ProjectionFamilies& generation,
                                   std::string dir, int writers)
    : store_(store), generation_(generation), dir_(std::move(dir)), writers_(writers) {}

GenerationTables::~GenerationTables() {
  std::error_code ignored;  // what is left is removed by the next rebuild's Prepare
  std::filesystem::remove_all(dir_, ignored);
}

Status GenerationTables::Prepare() {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);  // a rebuild's that did not finish
  if (!ec)
    std::filesystem::create_directories(dir_, ec);
  if (ec) {
    return Status::IOError(
        fmt::format("rebuilding: cannot make an empty directory {}: {}", dir_, ec.message()));
  }
  return Status::OK();
}

// Sends each put of a batch to its writer: views straight to their table file, the other
// families' into the writer's held batch.
class GenerationTables::Splitter : public rocksdb::WriteBatch::Handler {
 public:
  Splitter(GenerationTables* tables, int w) : tables_(tables), w_(w) {}

  rocksdb::Status PutCF(std::uint32_t family, const rocksdb::Slice& key,
                        const rocksdb::Slice& value) override {
    if (error.ok())
      error = Put(family, key, value);
    return error.ok() ? rocksdb::Status::OK() : rocksdb::Status::Aborted();
  }
  rocksdb::Status DeleteCF(std::uint32_t, const rocksdb::Slice&) override {
    error = Status::InvalidArgument("rebuilding: a delete; a rebuild only puts");
    return rocksdb::Status::Aborted();
  }
  // The Handler's default passes log data over: a rebuild's batch has none to give.
  void LogData(const rocksdb::Slice&) override {
    if (error.ok())
      error = Status::InvalidArgument("rebuilding: a batch holds log data; a rebuild only puts");
  }

  Status error;  // the first

 private:
  Status Put(std::uint32_t family, const rocksdb::Slice& key, const rocksdb::Slice& value) {
    const ProjectionFamilies& generation = tables_->generation_;
    if (family == generation.views()->GetID())
      return tables_->PutView(w_, key, value);
    for (auto* held : {generation.cohorts(), generation.alerts()}) {
      if (family == held->GetID())
        return FromRocks(tables_->writers_[w_].held.Put(held, key, value), "rebuilding: holding");
    }
    return Status::InvalidArgument("rebuilding: a put outside the generation being rebuilt");
  }

  GenerationTables* tables_;
  int w_;
};

Status GenerationTables::Add(int w, const rocksdb::WriteBatch& batch) {
  Splitter splitter(this, w);
  rocksdb::Status s = batch.Iterate(&splitter);
  if (!splitter.error.ok())
    return splitter.error;
  if (!s.ok()) {  // merges, single or range deletes
    return Status::InvalidArgument("rebuilding: a batch holds more than puts: " + s.ToString());
  }
  return writers_[w].held.GetDataSize() >= kBytesPerFile ? WriteOutHeld(w) : Status::OK();
}

Status GenerationTables::PutView(int w, const rocksdb::Slice& key, const rocksdb::Slice& value) {
  Writer& writer = writers_[w];
  // Across the writer's files too: a key repeated in the next file would be one of two
  // overlapping files' to RocksDB's ingestion, which keeps either without a word.
  if (writer.last_view && key.compare(*writer.last_view) <= 0) {
    return Status::InvalidArgument(
        "rebuilding: a writer's views must come in ascending key order, each key once");
  }
  if (writer.views == nullptr) {
    if (Status s = OpenTable(w, 0, &writer.views); !s.ok())
      return s;
  }
  writer.last_view.emplace(key.data(), key.size());
  if (rocksdb::Status s = writer.views->Put(key, value); !s.ok())
    return Status::IOError("rebuilding: writing a view: " + s.ToString());
  return writer.views->FileSize() >= kBytesPerFile ? CloseViews(w) : Status::OK();
}

Status GenerationTables::CloseViews(int w) {
  Writer& writer = writers_[w];
  if (writer.views == nullptr)
    return Status::OK();
  // last_view stays: the next file's first key must be above this one's last.
  Status s = FinishTable(w, 0, writer.views.get());
  writer.views.reset();
  return s;
}

Status GenerationTables::Finish(int w) {
  if (Status s = WriteOutHeld(w); !s.ok())
    return s;
  return CloseViews(w);
}

Status GenerationTables::OpenTable(int w, std::size_t f,
                                   std::unique_ptr<rocksdb::SstFileWriter>* table) {
  rocksdb::ColumnFamilyHandle* family = generation_.families[f];
  const rocksdb::Options options = store_->db()->GetOptions(family);
  if (options.comparator != rocksdb::BytewiseComparator()) {
    return Status::InvalidArgument(
        fmt::format("rebuilding: family {} does not order its keys bytewise", family->GetName()));
  }
  Writer& writer = writers_[w];
  const std::string path =
      fmt::format("{}/{}-{}-{}.sst", dir_, family->GetName(), w, writer.files[f].size());
  auto opened = std::make_unique<rocksdb::SstFileWriter>(rocksdb::EnvOptions(), options, family,
                                                         /*invalidate_page_cache=*/false);
  if (rocksdb::Status s = opened->Open(path); !s.ok()) {
    return Status::IOError(
        fmt::format("rebuilding: writing {}: {}: check the disk's free space", path, s.ToString()));
  }
  writer.files[f].push_back(path);
  *table = std::move(opened);
  return Status::OK();
}

Status GenerationTables::FinishTable(int w, std::size_t f, rocksdb::SstFileWriter* table) {
  if (rocksdb::Status s = table->Finish(); !s.ok()) {
    return Status::IOError(fmt::format("rebuilding: writing {}: {}: check the disk's free space",
                                       writers_[w].files[f].back(), s.ToString()));
  }
  return Status::OK();
}

Status GenerationTables::WriteOutHeld(int w) {
  Writer& writer = writers_[w];
  if (writer.held.Count() == 0)
    return Status::OK();
  auto entries = SortedEntries(std::span(&writer.held, 1));
  if (!entries)
    return Status::InvalidArgument("rebuilding: a batch holds more than puts and deletes");
  // The entries of one family lie together; each family's go to a table file of their own.
  for (auto run = entries->begin(); run != entries->end();) {
    const auto end = std::find_if(run, entries->end(),
                                  [&](const BatchEntry& e) { return e.family != run->family; });
    std::size_t f = 0;
    while (f < generation_.families.size() && generation_.families[f]->GetID() != run->family)
      ++f;
    if (f == generation_.families.size())  // the Splitter holds the generation's puts only
      return Status::InvalidArgument("rebuilding: a put outside the generation being rebuilt");
    std::unique_ptr<rocksdb::SstFileWriter> table;
    if (Status s = OpenTable(w, f, &table); !s.ok())
      return s;
    // The last of equal keys is kept, as a batch written in order would leave it.
    for (auto e = run; e != end; ++e) {
      if (e + 1 != end && e->key == (e + 1)->key)
        continue;
      if (rocksdb::Status s = table->Put(e->key, e->value); !s.ok()) {
        return Status::IOError(
            fmt::format("rebuilding: writing {}: {}", writer.files[f].back(), s.ToString()));
      }
    }
    if (Status s = FinishTable(w, f, table.get()); !s.ok())
      return s;
    run = end;
  }
  writer.held.Clear();
  return Status::OK();
}

Status GenerationTables::Ingest() {
  for (std::size_t f = 0; f < generation_.families.size(); ++f) {
    std::vector<std::string> files;
    for (const auto& writer : writers_)
      files.insert(files.end(), writer.files[f].begin(), writer.files[f].end());
    if (files.empty())
      continue;
    if (Status s = store_->IngestIntoGeneration(generation_.families[f], files); !s.ok())
      return s;
  }
  return Status::OK();
}

}  // namespace throughline::services
