#include "services/rebuilder.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <sys/mman.h>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "projections/projection_codec.h"
#include "services/generation_tables.h"
#include "services/log_record.h"
#include "services/person_record.h"
#include "services/projection_reader.h"
#include "services/projector.h"
#include "services/store_keys.h"
#include "services/thread_name.h"

namespace throughline::services {

namespace {

// Persons folded per WriteBatch.
constexpr std::size_t kPersonsPerBatch = 500;
// Persons a folding thread takes at a time.
constexpr std::size_t kPersonsPerTake = 64;

using SteadyClock = std::chrono::steady_clock;

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

// Each event's owner, from one scan of the person-events index: 4 bytes an event.
struct Owners {
  std::vector<std::pair<std::uint64_t, std::uint32_t>> persons;  // person, events; ascending
  std::vector<std::uint32_t> of_sequence;  // 1 + the owner's index in `persons`; 0: none
};

// Runs `work(t)` on `threads` threads, and `report()` about once a second until they are done.
// Woken by the last thread to finish: a phase's end is not rounded up to a polling interval.
template <typename Work, typename Report>
void RunOnThreads(int threads, const Work& work, const Report& report,
                  SteadyClock::time_point* last_report) {
  std::mutex mu;
  std::condition_variable all_done;
  int running = threads;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      NameThisThread("tl-rebuild-" + std::to_string(t));
      work(t);
      std::lock_guard lock(mu);
      if (--running == 0)
        all_done.notify_one();
    });
  }
  {
    std::unique_lock lock(mu);
    while (!all_done.wait_until(lock, *last_report + std::chrono::seconds(1),
                                [&] { return running == 0; })) {
      *last_report = SteadyClock::now();
      lock.unlock();
      report();
      lock.lock();
    }
  }
  for (auto& t : pool)
    t.join();
}

// The index is in person order, as `current` is: thread t merges the t-th share of the current
// persons with their part of the index, rather than searching for each key. Persons without an
// event in the index are left out.
Owners ReadOwners(const EventStore& store, const std::vector<std::uint64_t>& current, int threads,
                  SteadyClock::time_point* last_report) {
  Owners owners;
  owners.of_sequence.assign(store.state().next_sequence, 0);
  std::vector<std::uint32_t> counts(current.size(), 0);
  RunOnThreads(
      threads,
      [&](int t) {
        const std::size_t first = current.size() * t / threads;
        const std::size_t end = current.size() * (t + 1) / threads;
        if (first == end)
          return;
        // Past the share's last person: the next share's first, or the end of the index.
        const std::string upper = end < current.size() ? U64Key(current[end]) : std::string();
        rocksdb::Slice upper_slice(upper);
        rocksdb::ReadOptions read;
        read.fill_cache = false;
        read.readahead_size = 2 << 20;
        // The family filters by person prefix: a seek in prefix order would skip every table
        // file without the share's first person, and the persons in them with it.
        read.total_order_seek = true;
        if (!upper.empty())
          read.iterate_upper_bound = &upper_slice;
        std::unique_ptr<rocksdb::Iterator> it(
            store.db()->NewIterator(read, store.family(Family::kPersonEvents)));
        std::size_t next = first;
        for (it->Seek(U64Key(current[first])); it->Valid(); it->Next()) {
          auto parts = DecodePersonEventKey(it->key().ToStringView());
          if (!parts || parts->sequence >= owners.of_sequence.size())
            continue;
          while (next != end && current[next] < parts->person)
            ++next;
          if (next == end)
            break;
          if (current[next] != parts->person)
            continue;
          ++counts[next];
          // Relaxed: a sequence indexed under two persons (corruption) is written by whichever
          // comes last, and the rebuild then fails on the other's count.
          std::atomic_ref(owners.of_sequence[parts->sequence])
              .store(static_cast<std::uint32_t>(next + 1), std::memory_order_relaxed);
        }
      },
      [] {}, last_report);
  // Leave out the persons without events, and renumber the owners to match.
  std::vector<std::uint32_t> renumbered(current.size() + 1, 0);
  for (std::size_t i = 0; i < current.size(); ++i) {
    if (counts[i] == 0)
      continue;
    owners.persons.push_back({current[i], counts[i]});
    renumbered[i + 1] = static_cast<std::uint32_t>(owners.persons.size());
  }
  for (auto& owner : owners.of_sequence)
    owner = renumbered[owner];
  return owners;
}

// Bytes copied out of the log end to end, in chunks mapped for the purpose: one allocation per
// chunk rather than one a record, written by one thread and read by others once it is joined.
// A rebuild holds hundreds of MiB this way, and first touching a page is costly (most of all in
// a virtual machine, where it was a third of the scan), so the chunks ask for huge pages.
class RecordArena {
 public:
  RecordArena() = default;
  RecordArena(const RecordArena&) = delete;
  RecordArena& operator=(const RecordArena&) = delete;
  ~RecordArena() {
    for (const auto& [chunk, size] : chunks_)
      munmap(chunk, size);
  }

  // A copy of `bytes` that lives as long as the arena; nullopt when memory ran out.
  std::optional<std::string_view> Copy(std::string_view bytes) {
    if (bytes.size() > capacity_ - used_) {
      const std::size_t size = std::max(kChunk, bytes.size());
      void* chunk = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (chunk == MAP_FAILED)
        return std::nullopt;
      madvise(chunk, size, MADV_HUGEPAGE);  // advice only: without it, 4 KiB pages
      chunks_.emplace_back(chunk, size);
      next_ = static_cast<char*>(chunk);
      used_ = 0;
      capacity_ = size;
    }
    char* to = next_ + used_;
    std::copy(bytes.begin(), bytes.end(), to);
    used_ += bytes.size();
    return std::string_view(to, bytes.size());
  }

 private:
  static constexpr std::size_t kChunk = 32 << 20;
  std::vector<std::pair<void*, std::size_t>> chunks_;
  char* next_ = nullptr;
  std::size_t used_ = 0, capacity_ = 0;
};

// What the fold needs of a log record: its event's bytes (in an arena) and two fields of its
// header. Holding the whole record would hold a fifth more bytes, each of them first touched.
// Trivial, so that the array they are grouped into is not written twice (zeroed, then filled).
struct ScannedRecord {
  std::uint64_t sequence;
  std::int64_t appended_at_ms;
  const char* event;
  std::uint32_t event_size;
  std::uint32_t slot;  // the owner's place in the pass
  std::uint32_t identity_conflicts;
};

// What one thread read of its share of the log, in log order.
struct ScanShare {
  RecordArena arena;
  std::vector<ScannedRecord> records;
  std::vector<std::uint32_t> per_slot;  // records kept of each of the pass's persons
  Status status;
};

// The persons of one pass: owners.persons[first, first + count).
struct Pass {
  std::size_t first = 0, count = 0;
  std::uint64_t events = 0;
};

// Reads the log's sequences [from, to), keeping the records of the pass's persons.
void ScanShareOfLog(const EventStore& store, const Owners& owners, const Pass& pass,
                    std::uint64_t from, std::uint64_t to, std::atomic<std::uint64_t>* read_count,
                    ScanShare* share) {
  const std::string lower = U64Key(from), upper = U64Key(to);
  rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions read;
  read.fill_cache = false;
  read.readahead_size = 2 << 20;
  read.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator(read, store.family(Family::kLog)));
  share->per_slot.assign(pass.count, 0);
  // At most one record a sequence: reserved whole, a growing vector would copy itself and
  // first-touch about twice the memory it ends with (pages never written cost nothing).
  share->records.reserve(std::min<std::uint64_t>(to - from, pass.events));
  std::uint64_t counted = 0;
  for (it->Seek(lower); it->Valid(); it->Next()) {
    auto sequence = DecodeU64Key(it->key().ToStringView());
    if (!sequence || *sequence >= owners.of_sequence.size())
      continue;
    const std::uint32_t owner = owners.of_sequence[*sequence];
    if (owner == 0 || owner - 1 < pass.first || owner - 1 >= pass.first + pass.count)
      continue;
    auto record = ParseLogRecord(*sequence, it->value().ToStringView());
    if (!record.ok()) {
      share->status = record.status();
      return;
    }
    auto event = share->arena.Copy(record->event);
    if (!event) {
      share->status = Status::IOError(
          "rebuilding: out of memory holding the log's records: run `throughline rebuild` "
          "with a lower --events-per-pass");
      return;
    }
    const auto slot = static_cast<std::uint32_t>(owner - 1 - pass.first);
    share->records.push_back({*sequence, record->appended_at.unix_ms, event->data(),
                              static_cast<std::uint32_t>(event->size()), slot,
                              record->conflict_count});
    ++share->per_slot[slot];
    if (++counted == 4096) {
      *read_count += counted;
      counted = 0;
    }
  }
  *read_count += counted;
  if (!it->status().ok())
    share->status = Status::IOError("scanning the log: " + it->status().ToString());
}

}  // namespace

Status RebuildProjections(EventStore* store, const Clock& clock, const RebuildOptions& options,
                          RebuildProgress* result) {
  // Reading each person's events where they lie in the log is a random read of a block per
  // event, and ran at a fifth of a scan. So the log is scanned in order, in as many contiguous
  // shares as there are threads, each keeping the records of the persons of this pass in its
  // own arena; the records are then grouped by person (a counting sort: the index gave each
  // person's count) and the persons folded on the same threads. One thread scanning and
  // handing each record over to folders spent most of its time copying and signalling, and the
  // folders most of theirs missing the cache on those copies. A pass holds at most
  // options.events_per_pass records: a larger log is scanned once for each share of persons.
  const auto started = SteadyClock::now();
  auto generation = store->CreateProjectionGeneration();
  if (!generation.ok())
    return generation.status();
  const ProjectionTarget target = ProjectionTarget::Of(*generation);
  const int threads = std::max(1, options.threads);
  GenerationTables tables(store, *generation, store->dir() + "/rebuild", threads);
  if (Status s = tables.Prepare(); !s.ok())
    return s;
  const events::Timestamp now = clock.Now();
  auto last_report = SteadyClock::now();
  const Owners owners = ReadOwners(*store, CurrentPersons(*store), threads, &last_report);
  const std::uint64_t next_sequence = store->state().next_sequence;

  std::uint64_t events_total = 0;
  for (const auto& person : owners.persons)
    events_total += person.second;
  std::atomic<std::uint64_t> persons_done{0}, events_done{0}, events_read{0};
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
  auto progress = [&] {
    RebuildProgress p{
        persons_done, owners.persons.size(),
        events_done,  std::chrono::duration<double>(SteadyClock::now() - started).count(),
        events_read,  events_total};
    if (options.progress)
      options.progress(p);
    return p;
  };

  Pass pass;
  while (pass.first + pass.count < owners.persons.size() && !failed()) {
    // This pass: the next persons, up to the budget of records held.
    pass = Pass{pass.first + pass.count, 0, 0};
    while (pass.first + pass.count < owners.persons.size() &&
           (pass.count == 0 || pass.events + owners.persons[pass.first + pass.count].second <=
                                   options.events_per_pass)) {
      pass.events += owners.persons[pass.first + pass.count++].second;
    }

    // Scan: thread t reads the t-th share of the sequences.
    std::vector<ScanShare> shares(threads);
    RunOnThreads(
        threads,
        [&](int t) {
          const std::uint64_t span = next_sequence - 1;
          ScanShareOfLog(*store, owners, pass, 1 + span * t / threads, 1 + span * (t + 1) / threads,
                         &events_read, &shares[t]);
        },
        progress, &last_report);
    for (auto& share : shares) {
      if (!share.status.ok())
        fail(share.status);
    }
    if (failed())
      break;

    // Group by person, each person's records in log order: a counting sort, each thread placing
    // its own share's records after those of the shares before it.
    std::vector<std::uint64_t> begin(pass.count + 1, 0);
    for (std::size_t slot = 0; slot < pass.count; ++slot)
      begin[slot + 1] = begin[slot] + owners.persons[pass.first + slot].second;
    std::vector<std::vector<std::uint64_t>> placed(threads);
    placed[0].assign(begin.begin(), begin.end() - 1);
    for (int t = 1; t < threads; ++t) {
      placed[t] = placed[t - 1];
      for (std::size_t slot = 0; slot < pass.count; ++slot)
        placed[t][slot] += shares[t - 1].per_slot[slot];
    }
    for (std::size_t slot = 0; slot < pass.count; ++slot) {
      const std::uint64_t found = placed[threads - 1][slot] + shares[threads - 1].per_slot[slot];
      if (found != begin[slot + 1]) {
        fail(Status::Corruption(fmt::format(
            "the person-events index names {} events of person {} that are not in the log: "
            "run `throughline admin verify`",
            begin[slot + 1] - found, owners.persons[pass.first + slot].first)));
        break;
      }
    }
    if (failed())
      break;
    std::unique_ptr<ScannedRecord[]> by_person(new ScannedRecord[pass.events]);
    RunOnThreads(
        threads,
        [&](int t) {
          for (const auto& record : shares[t].records)
            by_person[placed[t][record.slot]++] = record;
        },
        progress, &last_report);

    // Fold: each thread takes the next few persons until none are left.
    std::atomic<std::size_t> next_slot{0};
    RunOnThreads(
        threads,
        [&](int t) {
          rocksdb::WriteBatch batch;
          std::size_t in_batch = 0;
          std::vector<projections::FoldInput> inputs;
          auto flush = [&] {
            if (batch.Count() == 0)
              return;
            if (Status s = tables.Add(t, std::move(batch)); !s.ok())
              fail(s);
            batch = rocksdb::WriteBatch();
          };
          for (std::size_t slot = next_slot.fetch_add(kPersonsPerTake);
               slot < pass.count && !failed(); slot = next_slot.fetch_add(kPersonsPerTake)) {
            const std::size_t end = std::min(slot + kPersonsPerTake, pass.count);
            for (std::size_t s = slot; s < end; ++s) {
              // The records lie anywhere in the arenas: ask for the next person's while this
              // one's are decoded and folded.
              for (std::uint64_t i = begin[s + 1]; s + 1 < end && i < begin[s + 2]; ++i)
                __builtin_prefetch(by_person[i].event);
              // Decoded into the inputs of the persons before: their strings keep their memory.
              const std::size_t count = begin[s + 1] - begin[s];
              if (inputs.size() < count)
                inputs.resize(count);
              for (std::size_t i = 0; i < count; ++i) {
                const ScannedRecord& r = by_person[begin[s] + i];
                if (Status decoded =
                        ToFoldInput(r.sequence, events::Timestamp{r.appended_at_ms},
                                    r.identity_conflicts, {r.event, r.event_size}, &inputs[i]);
                    !decoded.ok()) {
                  fail(decoded);
                  return;
                }
              }
              const std::uint64_t person = owners.persons[pass.first + s].first;
              events_done += count;
              auto state = projections::Fold(
                  person, std::span<const projections::FoldInput>(inputs.data(), count));
              if (projections::HasView(state))
                WriteProjection(target, person, std::nullopt, state, now, &batch);
              ++persons_done;
              if (++in_batch == kPersonsPerBatch) {
                in_batch = 0;
                flush();
              }
            }
          }
          flush();
          if (Status s = tables.Finish(t); !s.ok())
            fail(s);
        },
        progress, &last_report);
  }
  if (!error.ok())
    return error;
  if (Status s = tables.Ingest(); !s.ok())
    return s;
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
