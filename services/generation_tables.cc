#include "services/generation_tables.h"

#include <algorithm>
#include <filesystem>
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

Status GenerationTables::Add(int w, rocksdb::WriteBatch&& batch) {
  Writer& writer = writers_[w];
  writer.held_bytes += batch.GetDataSize();
  writer.held.push_back(std::move(batch));
  return writer.held_bytes >= kBytesPerFile ? WriteOut(w) : Status::OK();
}

Status GenerationTables::Finish(int w) { return WriteOut(w); }

Status GenerationTables::WriteOut(int w) {
  Writer& writer = writers_[w];
  auto entries = SortedEntries(writer.held);
  if (!entries)
    return Status::InvalidArgument("rebuilding: a batch holds more than puts and deletes");
  // The entries of one family lie together; each family's go to a table file of their own.
  for (auto run = entries->begin(); run != entries->end();) {
    const auto end = std::find_if(run, entries->end(),
                                  [&](const BatchEntry& e) { return e.family != run->family; });
    std::size_t f = 0;
    while (f < generation_.families.size() && generation_.families[f]->GetID() != run->family)
      ++f;
    if (f == generation_.families.size())
      return Status::InvalidArgument("rebuilding: a put outside the generation being rebuilt");
    if (std::any_of(run, end, [](const BatchEntry& e) { return e.remove; }))
      return Status::InvalidArgument("rebuilding: a delete; a rebuild only puts");
    rocksdb::ColumnFamilyHandle* family = generation_.families[f];
    const rocksdb::Options options = store_->db()->GetOptions(family);
    if (options.comparator != rocksdb::BytewiseComparator()) {
      return Status::InvalidArgument(
          fmt::format("rebuilding: family {} does not order its keys bytewise", family->GetName()));
    }
    const std::string path =
        fmt::format("{}/{}-{}-{}.sst", dir_, family->GetName(), w, writer.files[f].size());
    rocksdb::SstFileWriter table(rocksdb::EnvOptions(), options, family,
                                 /*invalidate_page_cache=*/false);
    rocksdb::Status s = table.Open(path);
    // The last of equal keys is kept, as a batch written in order would leave it.
    for (auto e = run; s.ok() && e != end; ++e) {
      if (e + 1 != end && e->key == (e + 1)->key)
        continue;
      s = table.Put(e->key, e->value);
    }
    if (s.ok())
      s = table.Finish();
    if (!s.ok()) {
      return Status::IOError(fmt::format("rebuilding: writing {}: {}: check the disk's free space",
                                         path, s.ToString()));
    }
    writer.files[f].push_back(path);
    run = end;
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
