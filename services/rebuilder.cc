#include "services/rebuilder.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "projections/projection_codec.h"
#include "services/log_record.h"
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

// One person, folded by a worker once the scan has read all of their records.
struct FoldJob {
  std::uint64_t person;
  std::vector<std::string> records;  // encoded log records, in log order
  std::vector<std::uint64_t> sequences;
};

// A person of the pass being scanned: the records read so far, and how many are still to come.
struct Pending {
  std::uint32_t remaining = 0;
  FoldJob job;
};

// Jobs from the scanning thread to the folding threads; bounded, so that a slow fold holds
// back the scan rather than memory.
class FoldQueue {
 public:
  explicit FoldQueue(std::size_t capacity) : capacity_(capacity) {}
  void Push(FoldJob job) {
    std::unique_lock lock(mu_);
    not_full_.wait(lock, [&] { return queue_.size() < capacity_ || closed_; });
    queue_.push_back(std::move(job));
    not_empty_.notify_one();
  }
  std::optional<FoldJob> Pop() {
    std::unique_lock lock(mu_);
    not_empty_.wait(lock, [&] { return !queue_.empty() || closed_; });
    if (queue_.empty())
      return std::nullopt;
    FoldJob job = std::move(queue_.front());
    queue_.pop_front();
    not_full_.notify_one();
    return job;
  }
  void Close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    not_empty_.notify_all();
    not_full_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable not_empty_, not_full_;
  std::deque<FoldJob> queue_;
  std::size_t capacity_;
  bool closed_ = false;
};

// Each event's person, from one scan of the person-events index: 8 bytes an event.
struct Owners {
  std::vector<std::uint64_t> of_sequence;                        // 0: no current person
  std::vector<std::pair<std::uint64_t, std::uint32_t>> persons;  // person, events; ascending
};

Owners ReadOwners(const EventStore& store, const std::vector<std::uint64_t>& current) {
  Owners owners;
  owners.of_sequence.assign(store.state().next_sequence, 0);
  rocksdb::ReadOptions read;
  read.fill_cache = false;
  read.readahead_size = 2 << 20;
  std::unique_ptr<rocksdb::Iterator> it(
      store.db()->NewIterator(read, store.family(Family::kPersonEvents)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto parts = DecodePersonEventKey(it->key().ToStringView());
    if (!parts || parts->sequence >= owners.of_sequence.size() ||
        !std::binary_search(current.begin(), current.end(), parts->person)) {
      continue;
    }
    owners.of_sequence[parts->sequence] = parts->person;
    if (owners.persons.empty() || owners.persons.back().first != parts->person)
      owners.persons.push_back({parts->person, 0});
    ++owners.persons.back().second;
  }
  return owners;
}

}  // namespace

Status RebuildProjections(EventStore* store, const Clock& clock, const RebuildOptions& options,
                          RebuildProgress* result) {
  // In log order, not person by person: reading each person's events where they lie in the log
  // is a random read of a block per event, and ran at a fifth of a scan. So the log is scanned
  // in order, each record goes to its person, and a person is folded as soon as their last
  // record has been read. The persons whose records are held at once are bounded by
  // options.events_per_pass: a larger log takes several scans.
  const auto started = std::chrono::steady_clock::now();
  auto generation = store->CreateProjectionGeneration();
  if (!generation.ok())
    return generation.status();
  const ProjectionTarget target = ProjectionTarget::Of(*generation);
  const events::Timestamp now = clock.Now();
  const Owners owners = ReadOwners(*store, CurrentPersons(*store));

  std::atomic<std::uint64_t> done{0}, events_done{0};
  std::mutex error_mu;
  Status error;
  auto fail = [&](Status s) {
    std::lock_guard lock(error_mu);
    if (error.ok())
      error = std::move(s);
  };
  auto failed = [&] {
    std::lock_guard lock(error_mu);
    return !error.ok();
  };

  FoldQueue queue(1024);
  auto fold_jobs = [&]() {
    rocksdb::WriteBatch batch;
    std::size_t in_batch = 0;
    auto flush = [&]() {
      if (batch.Count() == 0)
        return;
      // Durable when the switch at the end flushes the generation.
      if (Status s = store->WriteUnlogged(&batch); !s.ok())
        fail(s);
      batch.Clear();
    };
    while (auto job = queue.Pop()) {
      if (failed())
        continue;  // drain, so that the scan is never left waiting
      std::vector<LogRecord> records;
      records.reserve(job->records.size());
      for (std::size_t i = 0; i < job->records.size(); ++i) {
        auto record = DecodeLogRecord(job->sequences[i], job->records[i]);
        if (!record.ok()) {
          fail(record.status());
          break;
        }
        records.push_back(std::move(*record));
      }
      auto inputs = ToFoldInputs(records);
      if (!inputs.ok()) {
        fail(inputs.status());
        continue;
      }
      events_done += inputs->size();
      auto state = projections::Fold(job->person, std::move(*inputs));
      if (projections::HasView(state))
        WriteProjection(target, job->person, std::nullopt, state, now, &batch);
      ++done;
      if (++in_batch == kPersonsPerBatch) {
        in_batch = 0;
        flush();
      }
    }
    flush();
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < std::max(1, options.threads); ++t)
    threads.emplace_back(fold_jobs);

  auto progress = [&] {
    RebuildProgress p{
        done, owners.persons.size(), events_done,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()};
    if (options.progress)
      options.progress(p);
    return p;
  };
  auto last_report = std::chrono::steady_clock::now();

  std::size_t next_person = 0;
  while (next_person < owners.persons.size() && !failed()) {
    // This pass: the next persons, up to the budget of records held.
    std::unordered_map<std::uint64_t, Pending> pending;
    std::uint64_t held = 0;
    while (
        next_person < owners.persons.size() &&
        (pending.empty() || held + owners.persons[next_person].second <= options.events_per_pass)) {
      const auto& [person, count] = owners.persons[next_person++];
      pending[person] = Pending{count, FoldJob{person, {}, {}}};
      held += count;
    }
    rocksdb::ReadOptions read;
    read.fill_cache = false;
    read.readahead_size = 2 << 20;
    std::unique_ptr<rocksdb::Iterator> it(
        store->db()->NewIterator(read, store->family(Family::kLog)));
    for (it->SeekToFirst(); it->Valid() && !pending.empty() && !failed(); it->Next()) {
      auto sequence = DecodeU64Key(it->key().ToStringView());
      if (!sequence || *sequence >= owners.of_sequence.size())
        continue;
      auto found = pending.find(owners.of_sequence[*sequence]);
      if (found == pending.end())
        continue;
      Pending& p = found->second;
      p.job.records.push_back(it->value().ToString());
      p.job.sequences.push_back(*sequence);
      if (--p.remaining == 0) {
        queue.Push(std::move(p.job));
        pending.erase(found);
      }
      if (std::chrono::steady_clock::now() - last_report > std::chrono::seconds(1)) {
        last_report = std::chrono::steady_clock::now();
        progress();
      }
    }
    if (!it->status().ok()) {
      fail(Status::IOError("scanning the log: " + it->status().ToString()));
    } else if (!pending.empty() && !failed()) {
      fail(Status::Corruption(fmt::format(
          "the person-events index names {} events of person {} that are not in the log: "
          "run `throughline admin verify`",
          pending.begin()->second.remaining, pending.begin()->first)));
    }
  }
  queue.Close();
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
