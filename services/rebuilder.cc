#include "services/rebuilder.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <sys/mman.h>
#include <thread>
#include <utility>
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

// When the progress was last reported, and how often it is to be; kept across the phases.
struct ReportTimer {
  SteadyClock::time_point last;
  SteadyClock::duration every;
};

// Runs `work(t)` on `threads` threads, and `report()` every `timer->every` until they are done.
// Woken by the last thread to finish: a phase's end is not rounded up to a polling interval.
template <typename Work, typename Report>
void RunOnThreads(int threads, const Work& work, const Report& report, ReportTimer* timer) {
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
    while (!all_done.wait_until(lock, timer->last + timer->every, [&] { return running == 0; })) {
      timer->last = SteadyClock::now();
      lock.unlock();
      report();
      lock.lock();
    }
  }
  for (auto& t : pool)
    t.join();
}

// The index is in person order, as `current` is: each piece of `current` is merged with its
// part of the index, rather than searching for each key. The threads take the pieces in turn:
// the persons' events are not spread evenly over their ids (cut in two halves, one thread read
// twice the keys of the other and the phase took its time). Persons without an event in the
// index are left out.
Owners ReadOwners(const EventStore& store, const std::vector<std::uint64_t>& current, int threads,
                  ReportTimer* timer) {
  Owners owners;
  owners.of_sequence.assign(store.state().next_sequence, 0);
  std::vector<std::uint32_t> counts(current.size(), 0);
  const std::size_t pieces = static_cast<std::size_t>(threads) * 16;
  std::atomic<std::size_t> next_piece{0};
  RunOnThreads(
      threads,
      [&](int) {
        for (std::size_t piece = next_piece++; piece < pieces; piece = next_piece++) {
          const std::size_t first = current.size() * piece / pieces;
          const std::size_t end = current.size() * (piece + 1) / pieces;
          if (first == end)
            continue;
          // Past the piece's last person: the next piece's first, or the end of the index.
          const std::string upper = end < current.size() ? U64Key(current[end]) : std::string();
          rocksdb::Slice upper_slice(upper);
          rocksdb::ReadOptions read;
          read.fill_cache = false;
          read.readahead_size = 2 << 20;
          // The family filters by person prefix: a seek in prefix order would skip every table
          // file without the piece's first person, and the persons in them with it.
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
        }
      },
      [] {}, timer);
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

// Memory mapped for one purpose and unmapped with this: a rebuild holds hundreds of MiB at once,
// and first touching a page is costly (most of all in a virtual machine, where it was a third of
// the scan), so it asks for huge pages, a fault each 2 MiB rather than each 4 KiB.
class MappedMemory {
 public:
  // Empty when the memory could not be mapped.
  explicit MappedMemory(std::size_t size)
      : size_(size),
        bytes_(size == 0 ? MAP_FAILED
                         : mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                                -1, 0)) {
    if (bytes_ != MAP_FAILED)
      madvise(bytes_, size, MADV_HUGEPAGE);  // advice only: without it, 4 KiB pages
  }
  MappedMemory(MappedMemory&& other) noexcept
      : size_(std::exchange(other.size_, 0)), bytes_(std::exchange(other.bytes_, MAP_FAILED)) {}
  MappedMemory& operator=(MappedMemory&&) = delete;
  ~MappedMemory() {
    if (bytes_ != MAP_FAILED)
      munmap(bytes_, size_);
  }

  bool empty() const { return bytes_ == MAP_FAILED; }
  char* data() const { return static_cast<char*>(bytes_); }
  std::size_t size() const { return size_; }

 private:
  std::size_t size_;
  void* bytes_;
};

// Bytes copied out of the log end to end, in chunks mapped for the purpose: one allocation per
// chunk rather than one a record, written by one thread and read by others once it is joined.
class RecordArena {
 public:
  // A copy of `bytes` that lives as long as the arena; nullopt when memory ran out.
  std::optional<std::string_view> Copy(std::string_view bytes) {
    if (bytes.size() > capacity_ - used_) {
      MappedMemory chunk(std::max(kChunk, bytes.size()));
      if (chunk.empty())
        return std::nullopt;
      next_ = chunk.data();
      used_ = 0;
      capacity_ = chunk.size();
      chunks_.push_back(std::move(chunk));
    }
    char* to = next_ + used_;
    std::copy(bytes.begin(), bytes.end(), to);
    used_ += bytes.size();
    return std::string_view(to, bytes.size());
  }

 private:
  static constexpr std::size_t kChunk = 32 << 20;
  std::vector<MappedMemory> chunks_;
  char* next_ = nullptr;
  std::size_t used_ = 0, capacity_ = 0;
};

// What the fold needs of a log record: its event's bytes (in an arena) and two fields of its
// header. Holding the whole record would hold a fifth more bytes, each of them first touched.
// Trivial, so that the array of them is not written twice (zeroed, then filled).
struct ScannedRecord {
  std::uint64_t sequence;
  std::int64_t appended_at_ms;
  const char* event;
  std::uint32_t event_size;
  std::uint32_t identity_conflicts;
};

// The persons of one pass: owners.persons[first, first + count).
struct Pass {
  std::size_t first = 0, count = 0;
  std::uint64_t events = 0;
};

// Where the scan puts each record: every record of the pass's persons, grouped by person, each
// person's in log order. Laid out from the index before the log is read, so that each scanning
// thread writes its records where the fold reads them: gathered in a share of their own first,
// then grouped, they were written and first touched twice.
class GroupedRecords {
 public:
  GroupedRecords(const Owners& owners, const Pass& pass, int shares, std::uint64_t next_sequence)
      : owners_(owners),
        pass_(pass),
        next_sequence_(next_sequence),
        memory_(pass.events * sizeof(ScannedRecord)),
        starts_(shares + 1) {
    // Share t's records of a person follow those of the shares before it.
    auto& first = starts_[0];
    first.assign(pass.count + 1, 0);
    for (std::size_t slot = 0; slot < pass.count; ++slot)
      first[slot + 1] = first[slot] + owners.persons[pass.first + slot].second;
    for (int t = 0; t < shares; ++t) {
      starts_[t + 1] = starts_[t];
      const auto [from, to] = ShareOfLog(t);
      for (std::uint64_t sequence = from; sequence < to; ++sequence) {
        if (auto slot = SlotOf(sequence))
          ++starts_[t + 1][*slot];
      }
    }
    next_.assign(starts_.begin(), starts_.end() - 1);
  }

  bool failed() const { return pass_.events > 0 && memory_.empty(); }

  // Share t of the log's sequences, [from, to).
  std::pair<std::uint64_t, std::uint64_t> ShareOfLog(int t) const {
    const int shares = static_cast<int>(starts_.size()) - 1;
    const std::uint64_t span = next_sequence_ - 1;
    return {1 + span * t / shares, 1 + span * (t + 1) / shares};
  }

  // The place in the pass of the sequence's owner; nullopt when it is not one of the pass's.
  std::optional<std::uint32_t> SlotOf(std::uint64_t sequence) const {
    if (sequence >= owners_.of_sequence.size())
      return std::nullopt;
    const std::uint32_t owner = owners_.of_sequence[sequence];
    if (owner == 0 || owner - 1 < pass_.first || owner - 1 >= pass_.first + pass_.count)
      return std::nullopt;
    return static_cast<std::uint32_t>(owner - 1 - pass_.first);
  }

  // From share t's thread only, in log order. Never past the share's part of the person's
  // records: the index counted them, and the log holds each sequence once.
  void Put(int t, std::uint32_t slot, const ScannedRecord& record) {
    std::uint64_t& at = next_[t][slot];
    if (at < starts_[t + 1][slot])
      records()[at++] = record;
  }

  // Once every share is scanned: how many records of the person the index named and the log
  // did not hold.
  std::uint64_t Missing(std::size_t slot) const {
    std::uint64_t missing = 0;
    for (std::size_t t = 0; t < next_.size(); ++t)
      missing += starts_[t + 1][slot] - next_[t][slot];
    return missing;
  }

  // The person's records are [begin(slot), end(slot)).
  std::uint64_t begin(std::size_t slot) const { return starts_.front()[slot]; }
  std::uint64_t end(std::size_t slot) const { return starts_.front()[slot + 1]; }
  const ScannedRecord& operator[](std::uint64_t i) const { return records()[i]; }

 private:
  ScannedRecord* records() const { return reinterpret_cast<ScannedRecord*>(memory_.data()); }

  const Owners& owners_;
  const Pass pass_;
  const std::uint64_t next_sequence_;
  MappedMemory memory_;
  // starts_[t][slot]: where share t's records of the person begin; starts_.back(), where they
  // end.
  std::vector<std::vector<std::uint64_t>> starts_;
  std::vector<std::vector<std::uint64_t>> next_;  // where share t puts the person's next record
};

// Reads share t of the log, putting the records of the pass's persons into `grouped`, their
// event bytes into `arena`.
Status ScanShareOfLog(const EventStore& store, int t, GroupedRecords* grouped, RecordArena* arena,
                      std::atomic<std::uint64_t>* read_count) {
  const auto [from, to] = grouped->ShareOfLog(t);
  const std::string lower = U64Key(from), upper = U64Key(to);
  rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions read;
  read.fill_cache = false;
  read.readahead_size = 2 << 20;
  read.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator(read, store.family(Family::kLog)));
  std::uint64_t counted = 0;
  for (it->Seek(lower); it->Valid(); it->Next()) {
    auto sequence = DecodeU64Key(it->key().ToStringView());
    auto slot = sequence ? grouped->SlotOf(*sequence) : std::nullopt;
    if (!slot)
      continue;
    auto record = ParseLogRecord(*sequence, it->value().ToStringView());
    if (!record.ok())
      return record.status();
    auto event = arena->Copy(record->event);
    if (!event) {
      return Status::IOError(
          "rebuilding: out of memory holding the log's records: run `throughline rebuild` "
          "with a lower --events-per-pass");
    }
    grouped->Put(t, *slot,
                 {*sequence, record->appended_at.unix_ms, event->data(),
                  static_cast<std::uint32_t>(event->size()), record->conflict_count});
    if (++counted == 4096) {
      *read_count += counted;
      counted = 0;
    }
  }
  *read_count += counted;
  if (!it->status().ok())
    return Status::IOError("scanning the log: " + it->status().ToString());
  return Status::OK();
}

}  // namespace

Status RebuildProjections(EventStore* store, const Clock& clock, const RebuildOptions& options,
                          RebuildProgress* result) {
  // Reading each person's events where they lie in the log is a random read of a block per
  // event, and ran at a fifth of a scan. So the log is scanned in order, in as many contiguous
  // shares as there are threads, each copying the event bytes of the persons of this pass into
  // its own arena and putting their records straight into their place, grouped by person (the
  // index gave each person's count in each share); the persons are then folded on the same
  // threads. One thread scanning and handing each record over to folders spent most of its time
  // copying and signalling, and the folders most of theirs missing the cache on those copies. A
  // pass holds at most options.events_per_pass records: a larger log is scanned once for each
  // share of persons.
  const auto started = SteadyClock::now();
  const int threads = std::max(1, options.threads);
  // Creating the new generation's families writes and syncs RocksDB's manifest, mostly a wait
  // on the disk: done beside the index's reading rather than before it (a fiftieth of a
  // rebuild of 1M events).
  auto creating =
      std::async(std::launch::async, [store] { return store->CreateProjectionGeneration(); });
  ReportTimer timer{SteadyClock::now(), options.report_every};
  // Seconds since `*from`, which moves on to now.
  auto lap = [](SteadyClock::time_point* from) {
    const auto at = SteadyClock::now();
    return std::chrono::duration<double>(at - std::exchange(*from, at)).count();
  };
  auto phase_start = started;
  const Owners owners = ReadOwners(*store, CurrentPersons(*store), threads, &timer);
  auto generation = creating.get();
  const double index_seconds = lap(&phase_start);
  if (!generation.ok())
    return generation.status();
  const ProjectionTarget target = ProjectionTarget::Of(*generation);
  GenerationTables tables(store, *generation, store->dir() + "/rebuild", threads);
  if (Status s = tables.Prepare(); !s.ok())
    return s;
  const events::Timestamp now = clock.Now();
  double scan_seconds = 0, fold_seconds = 0;
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
        persons_done,  owners.persons.size(),
        events_done,   std::chrono::duration<double>(SteadyClock::now() - started).count(),
        events_read,   events_total,
        index_seconds, scan_seconds,
        fold_seconds};
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

    // Scan: thread t reads the t-th share of the sequences, each record straight to its place.
    lap(&phase_start);
    GroupedRecords grouped(owners, pass, threads, next_sequence);
    if (grouped.failed()) {
      fail(Status::IOError(
          "rebuilding: out of memory for the pass's records: run `throughline rebuild` with a "
          "lower --events-per-pass"));
      break;
    }
    std::vector<RecordArena> arenas(threads);
    RunOnThreads(
        threads,
        [&](int t) {
          if (Status s = ScanShareOfLog(*store, t, &grouped, &arenas[t], &events_read); !s.ok())
            fail(s);
        },
        progress, &timer);
    if (failed())
      break;
    for (std::size_t slot = 0; slot < pass.count; ++slot) {
      if (const std::uint64_t missing = grouped.Missing(slot); missing > 0) {
        fail(Status::Corruption(fmt::format(
            "the person-events index names {} events of person {} that are not in the log: "
            "run `throughline admin verify`",
            missing, owners.persons[pass.first + slot].first)));
        break;
      }
    }
    if (failed())
      break;
    scan_seconds += lap(&phase_start);

    // Fold: each thread takes the next few persons until none are left. So each thread folds
    // its persons in ascending order, as GenerationTables wants their views.
    std::atomic<std::size_t> next_slot{0};
    RunOnThreads(
        threads,
        [&](int t) {
          rocksdb::WriteBatch batch;
          std::size_t in_batch = 0;
          std::vector<projections::FoldInput> inputs;
          // One batch a thread, cleared after each Add: its memory is used again.
          auto flush = [&] {
            if (batch.Count() == 0)
              return;
            if (Status s = tables.Add(t, batch); !s.ok())
              fail(s);
            batch.Clear();
          };
          for (std::size_t slot = next_slot.fetch_add(kPersonsPerTake);
               slot < pass.count && !failed(); slot = next_slot.fetch_add(kPersonsPerTake)) {
            const std::size_t end = std::min(slot + kPersonsPerTake, pass.count);
            for (std::size_t s = slot; s < end; ++s) {
              // The records lie anywhere in the arenas: ask for the next person's while this
              // one's are decoded and folded, every cache line of each (an event spans about
              // four).
              for (std::uint64_t i = grouped.begin(s + 1); s + 1 < end && i < grouped.end(s + 1);
                   ++i) {
                const ScannedRecord& next = grouped[i];
                for (std::uint32_t at = 0; at < next.event_size; at += 64)
                  __builtin_prefetch(next.event + at);
              }
              // Decoded into the inputs of the persons before: their strings keep their memory.
              const std::size_t count = grouped.end(s) - grouped.begin(s);
              if (inputs.size() < count)
                inputs.resize(count);
              for (std::size_t i = 0; i < count; ++i) {
                const ScannedRecord& r = grouped[grouped.begin(s) + i];
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
        progress, &timer);
    fold_seconds += lap(&phase_start);
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
  spdlog::info(
      "projections.rebuilt persons={} events={} seconds={:.1f} index_seconds={:.2f} "
      "scan_seconds={:.2f} fold_seconds={:.2f}",
      result.persons_total, result.events_done, result.seconds, result.index_seconds,
      result.scan_seconds, result.fold_seconds);
  return Status::OK();
}

}  // namespace throughline::services
