#include "services/generation_tables.h"

#include <algorithm>
#include <filesystem>
#include <utility>

#include <fmt/format.h>
#include <rocksdb/sst_file_writer.h>

namespace throughline::services {

namespace {

struct Entry {
  rocksdb::Slice key, value;
};

// Sorts a writer's batches' puts out by family, as views into the batches.
class ByFamily : public rocksdb::WriteBatch::Handler {
 public:
  explicit ByFamily(const ProjectionFamilies& generation) : generation_(generation) {}

  rocksdb::Status PutCF(std::uint32_t family_id, const rocksdb::Slice& key,
                        const rocksdb::Slice& value) override {
    for (std::size_t i = 0; i < generation_.families.size(); ++i) {
      if (generation_.families[i]->GetID() == family_id) {
        entries[i].push_back({key, value});
        return rocksdb::Status::OK();
      }
    }
    return rocksdb::Status::InvalidArgument("a put outside the generation being rebuilt");
  }
  // Deletes, merges and the rest keep the Handler's default: an error. A rebuild only puts.

  std::array<std::vector<Entry>, 3> entries;

 private:
  const ProjectionFamilies& generation_;
};

}  // namespace

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

Status GenerationTables::Add(int w, rocksdb::WriteBatch&& batch) {
  Writer& writer = writers_[w];
  writer.held_bytes += batch.GetDataSize();
  writer.held.push_back(std::move(batch));
  return writer.held_bytes >= kBytesPerFile ? WriteOut(w) : Status::OK();
}

Status GenerationTables::Finish(int w) { return WriteOut(w); }

Status GenerationTables::WriteOut(int w) {
  Writer& writer = writers_[w];
  ByFamily by_family(generation_);
  for (const auto& batch : writer.held) {
    if (rocksdb::Status s = batch.Iterate(&by_family); !s.ok())
      return Status::InvalidArgument("rebuilding: " + s.ToString());
  }
  for (std::size_t f = 0; f < by_family.entries.size(); ++f) {
    auto& entries = by_family.entries[f];
    if (entries.empty())
      continue;
    rocksdb::ColumnFamilyHandle* family = generation_.families[f];
    const rocksdb::Options options = store_->db()->GetOptions(family);
    const rocksdb::Comparator* order = options.comparator;
    // Stable, and the last of equal keys kept: as a batch written in order would leave it.
    std::stable_sort(entries.begin(), entries.end(), [order](const Entry& a, const Entry& b) {
      return order->Compare(a.key, b.key) < 0;
    });
    const std::string path =
        fmt::format("{}/{}-{}-{}.sst", dir_, family->GetName(), w, writer.files[f].size());
    rocksdb::SstFileWriter table(rocksdb::EnvOptions(), options, family,
                                 /*invalidate_page_cache=*/false);
    rocksdb::Status s = table.Open(path);
    for (std::size_t i = 0; s.ok() && i < entries.size(); ++i) {
      if (i + 1 < entries.size() && order->Compare(entries[i].key, entries[i + 1].key) == 0)
        continue;
      s = table.Put(entries[i].key, entries[i].value);
    }
    if (s.ok())
      s = table.Finish();
    if (!s.ok()) {
      return Status::IOError(fmt::format("rebuilding: writing {}: {}: check the disk's free space",
                                         path, s.ToString()));
    }
    writer.files[f].push_back(path);
  }
  writer.held.clear();
  writer.held_bytes = 0;
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
