#include "services/rebuilder.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "projections/projection_codec.h"
#include "services/person_record.h"
#include "services/projection_reader.h"
#include "services/projector.h"
#include "services/store_keys.h"

namespace throughline::services {

namespace {

// Persons folded per WriteBatch.
constexpr std::size_t kPersonsPerBatch = 500;

std::vector<std::uint64_t> CurrentPersons(const EventStore& store) {
  std::vector<std::uint64_t> persons;
  rocksdb::ReadOptions read;
  read.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(
      store.db()->NewIterator(read, store.family(Family::kPersons)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto person = DecodeU64Key(it->key().ToStringView());
    auto record = person ? DecodePersonRecord(*person, it->value().ToStringView())
                         : Result<PersonRecord>(Status::Corruption("bad key"));
    if (record.ok() && record->merged_into == 0)
      persons.push_back(*person);
  }
  return persons;
}

}  // namespace

Status RebuildProjections(EventStore* store, const Clock& clock, const RebuildOptions& options,
                          RebuildProgress* result) {
  const auto started = std::chrono::steady_clock::now();
  auto generation = store->CreateProjectionGeneration();
  if (!generation.ok())
    return generation.status();
  const ProjectionTarget target = ProjectionTarget::Of(*generation);
  const events::Timestamp now = clock.Now();
  const std::vector<std::uint64_t> persons = CurrentPersons(*store);

  std::atomic<std::uint64_t> done{0}, events_done{0};
  std::mutex error_mu;
  Status error;
  auto fold_share = [&](int share) {
    rocksdb::WriteBatch batch;
    auto flush = [&]() -> bool {
      if (batch.Count() == 0)
        return true;
      // Durable at the latest with the synced switch at the end.
      Status s = store->Write(&batch);
      batch.Clear();
      if (!s.ok()) {
        std::lock_guard lock(error_mu);
        error = s;
        return false;
      }
      return true;
    };
    std::size_t in_batch = 0;
    for (std::size_t i = static_cast<std::size_t>(share); i < persons.size();
         i += static_cast<std::size_t>(options.threads)) {
      {
        std::lock_guard lock(error_mu);
        if (!error.ok())
          return;
      }
      auto inputs = LoadFoldInputs(*store, persons[i]);
      if (!inputs.ok()) {
        std::lock_guard lock(error_mu);
        error = inputs.status();
        return;
      }
      events_done += inputs->size();
      auto state = projections::Fold(persons[i], std::move(*inputs));
      if (projections::HasView(state))
        WriteProjection(target, persons[i], std::nullopt, state, now, &batch);
      ++done;
      if (++in_batch == kPersonsPerBatch) {
        in_batch = 0;
        if (!flush())
          return;
      }
    }
    flush();
  };

  std::vector<std::thread> threads;
  for (int t = 0; t < std::max(1, options.threads); ++t)
    threads.emplace_back(fold_share, t);
  auto progress = [&] {
    RebuildProgress p{
        done, persons.size(), events_done,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()};
    if (options.progress)
      options.progress(p);
    return p;
  };
  auto last_report = std::chrono::steady_clock::now();
  while (done < persons.size()) {
    {
      std::lock_guard lock(error_mu);
      if (!error.ok())
        break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    if (std::chrono::steady_clock::now() - last_report > std::chrono::seconds(1)) {
      last_report = std::chrono::steady_clock::now();
      progress();
    }
  }
  for (auto& t : threads)
    t.join();
  if (!error.ok())
    return error;
  if (Status s = store->SwitchProjectionGeneration(*generation, projections::kProjectionVersion);
      !s.ok()) {
    return s;
  }
  const RebuildProgress final_progress = progress();
  if (result != nullptr)
    *result = final_progress;
  return Status::OK();
}

Status RebuildIfStale(EventStore* store, const Clock& clock,
                      const std::function<void(const RebuildProgress&)>& progress) {
  const auto version = store->ProjectionVersion();
  if (version == projections::kProjectionVersion)
    return Status::OK();
  if (!version && store->state().next_sequence == 1) {
    return store->SetProjectionVersion(projections::kProjectionVersion);
  }
  spdlog::warn(
      "projections.rebuild reason=\"views built by projection version {}, this engine "
      "folds version {}\" note=\"ingest starts when it is done\"",
      version ? std::to_string(*version) : std::string("unknown"), projections::kProjectionVersion);
  RebuildOptions options;
  options.progress = [&progress](const RebuildProgress& p) {
    spdlog::info("projections.rebuild_progress persons={}/{} events={} rate={:.0f}/s",
                 p.persons_done, p.persons_total, p.events_done,
                 p.seconds > 0 ? p.events_done / p.seconds : 0.0);
    if (progress)
      progress(p);
  };
  RebuildProgress result;
  if (Status s = RebuildProjections(store, clock, options, &result); !s.ok())
    return s;
  spdlog::info("projections.rebuilt persons={} events={} seconds={:.1f}", result.persons_total,
               result.events_done, result.seconds);
  return Status::OK();
}

}  // namespace throughline::services
