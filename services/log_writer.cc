#include "services/log_writer.h"

#include <cassert>
#include <limits>
#include <unordered_map>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "events/event_codec.h"
#include "services/byte_codec.h"
#include "services/dead_letter.h"
#include "services/store_keys.h"

namespace throughline::services {

namespace {

constexpr std::size_t kLoggedDeadLettersPerBatch = 20;
// The WriteBatches are reused with their buffers. An ordinary batch of 5,000 events fills
// several MiB of one; one far larger (a merge refolding many persons, say) is let go after its
// write.
constexpr std::size_t kRetainedBatchBytes = 64 << 20;

// Same event, ignoring flags: the reference data may have changed between two deliveries.
bool SameContent(events::Event a, events::Event b) {
  a.flags.clear();
  b.flags.clear();
  return a == b;
}

// The BatchReader of a batch in progress.
class Reader final : public BatchReader {
 public:
  Reader(StoreView store, const IdentityResolver* resolver, const std::vector<LogRecord>* staged)
      : store_(store), resolver_(resolver), staged_(staged) {}

  std::vector<std::uint64_t> PersonEvents(std::uint64_t person) override {
    std::vector<std::uint64_t> sequences;
    for (const auto& [time, sequence] : resolver_->Entries(person))
      sequences.push_back(sequence);
    return sequences;
  }
  Result<std::vector<LogRecord>> Records(const std::vector<std::uint64_t>& sequences) override {
    // Staged records have consecutive sequences, after everything in the store.
    const std::uint64_t first_staged =
        staged_->empty() ? std::numeric_limits<std::uint64_t>::max() : staged_->front().sequence;
    std::vector<std::uint64_t> stored;
    for (std::uint64_t sequence : sequences) {
      if (sequence < first_staged)
        stored.push_back(sequence);
    }
    auto from_store = store_.ReadRecords(stored);
    if (!from_store.ok())
      return from_store.status();
    std::vector<LogRecord> records;
    records.reserve(sequences.size());
    std::size_t next_stored = 0;
    for (std::uint64_t sequence : sequences) {
      if (sequence < first_staged) {
        records.push_back(std::move((*from_store)[next_stored++]));
        continue;
      }
      const std::uint64_t i = sequence - first_staged;
      if (i >= staged_->size())
        return Status::NotFound(fmt::format("no log record {}", sequence));
      records.push_back((*staged_)[i]);
    }
    return records;
  }
  bool IsCurrent(std::uint64_t person) override { return resolver_->IsCurrent(person); }
  bool EventsMoved(std::uint64_t person) override { return resolver_->EventsMoved(person); }
  StoreView store() override { return store_; }

 private:
  StoreView store_;
  const IdentityResolver* resolver_;
  const std::vector<LogRecord>* staged_;
};

}  // namespace

DeadLetter MakeDeadLetter(const RawMessage& raw, events::ValidationErrors errors,
                          events::Timestamp now) {
  DeadLetter letter;
  letter.origin = raw.origin;
  letter.kafka_time = raw.kafka_time;
  letter.rejected_at = now;
  letter.key = raw.key;
  letter.value = raw.value;
  letter.headers = raw.headers;
  letter.errors = std::move(errors);
  return letter;
}

struct LogWriter::Prepared {
  rocksdb::WriteBatch batch;
  std::optional<BatchOverlay> overlay;  // of `batch`
  LogState state;                       // the log's, once `batch` is written
  WhenLanded when_landed;
};

LogWriter::LogWriter(EventStore* store, const Clock* clock)
    : store_(store), clock_(clock), resolver_(store) {}

LogWriter::~LogWriter() {
  if (committer_)
    committer_->Wait();
}

Status LogWriter::Append(const IncomingBatch& batch, AppendResult* result) {
  if (Status s = Prepare(batch, result); !s.ok())
    return s;
  StartWrite();
  return FinishWrite();
}

void LogWriter::StartWrite() {
  assert(!in_flight_ && "one batch in flight at a time: FinishWrite first");
  if (!prepared_)
    return;
  in_flight_ = std::move(prepared_);
  if (!committer_)
    committer_ = std::make_unique<HelperThread>("tl-commit");
  committer_->Start([this, p = in_flight_.get()] {
    in_flight_status_ = store_->Write(&p->batch, p->overlay->entries());
  });
}

Status LogWriter::FinishWrite() {
  if (!in_flight_)
    return Status::OK();
  committer_->Wait();
  std::unique_ptr<Prepared> written = std::move(in_flight_);
  if (!in_flight_status_.ok()) {
    DropPrepared();  // it read the failed batch as if written
    return in_flight_status_;
  }
  store_->set_state(written->state);
  // The batch's records are the likeliest to be read again soon: a person's next late event
  // refolds them.
  RecordCache& cache = store_->record_cache();
  for (const BatchEntry& entry :
       written->overlay->WithPrefix(store_->family(Family::kLog)->GetID(), rocksdb::Slice())) {
    if (auto sequence = DecodeU64Key(entry.key.ToStringView()); sequence && !entry.remove)
      cache.Insert(*sequence, entry.value.ToStringView());
  }
  for (const auto& effect : written->when_landed)
    effect();
  written->when_landed.clear();
  // A rare giant's buffer (a merge refolding many persons, say) is not held for ever.
  if (written->batch.GetDataSize() <= kRetainedBatchBytes)
    spare_ = std::move(written);
  return Status::OK();
}

void LogWriter::DropPrepared() { prepared_.reset(); }

Status LogWriter::Prepare(const IncomingBatch& batch, AppendResult* result) {
  *result = AppendResult{};
  DropPrepared();
  if (batch.messages.empty() && batch.offsets.empty())
    return Status::OK();

  const events::Timestamp now = clock_->Now();
  // Everything below reads through `view`: the store, and the batch in flight on top.
  const StoreView view(*store_, in_flight_ ? &*in_flight_->overlay : nullptr);
  LogState state = in_flight_ ? in_flight_->state : store_->state();
  // The WriteBatches are cleared and refilled: a buffer of several MiB, allocated afresh for
  // every batch, cost the writer a page fault per 4 KiB it filled.
  std::unique_ptr<Prepared> prepared = spare_ ? std::move(spare_) : std::make_unique<Prepared>();
  prepared->overlay.reset();
  prepared->when_landed.clear();
  rocksdb::WriteBatch& wb = prepared->batch;
  wb.Clear();
  WhenLanded& when_landed = prepared->when_landed;
  resolver_.Begin(&wb, &state, view, &when_landed);
  // Whatever happens below, a batch that is not written leaves no trace in the resolver.
  struct AbortUnlessFinished {
    IdentityResolver& resolver;
    ~AbortUnlessFinished() { resolver.Abort(); }
  } guard{resolver_};

  std::vector<LogRecord> records;
  records.reserve(batch.messages.size());
  std::vector<const events::Event*> record_events;
  record_events.reserve(batch.messages.size());
  std::unordered_map<std::string, std::size_t> staged_ids;  // idempotency key -> records index

  auto dead_letter = [&](const RawMessage& raw, events::ValidationErrors errors) {
    std::uint64_t number = state.next_dead_letter++;
    // One line each; a flood of garbage is summarised after the first few of a batch.
    if (result->dead_letters < kLoggedDeadLettersPerBatch && !errors.empty()) {
      when_landed.push_back(
          [line = fmt::format("ingest.dead_letter number={} topic={} partition={} offset={} "
                              "path={} rule={} message=\"{}\" errors={}",
                              number, raw.origin.topic, raw.origin.partition, raw.origin.offset,
                              errors.front().path.empty() ? "-" : errors.front().path,
                              events::RuleName(errors.front().rule), errors.front().message,
                              errors.size())] { spdlog::warn("{}", line); });
    }
    wb.Put(store_->family(Family::kDeadLetters), U64Key(number),
           EncodeDeadLetter(MakeDeadLetter(raw, std::move(errors), now)));
    ++result->dead_letters;
  };

  // What the loop below looks up event by event, read ahead in a few sorted MultiGets: the
  // idempotency keys, the identifiers and their persons. One at a time, these point lookups
  // were a third of the writer's time.
  std::vector<std::string> idempotency_keys(batch.messages.size());
  {
    std::vector<std::vector<events::Identifier>> ids;
    ids.reserve(batch.messages.size());
    for (std::size_t i = 0; i < batch.messages.size(); ++i) {
      const Incoming& message = batch.messages[i];
      if (!message.valid())
        continue;
      idempotency_keys[i] = IdempotencyKey(message.event.source, message.event.id);
      ids.push_back(message.event.person.identifiers());
    }
    if (Status s = resolver_.Prefetch(ids); !s.ok())
      return s;
  }
  std::unordered_map<std::string_view, std::uint64_t> stored_ids;  // idempotency key -> sequence
  auto stored = view.FindMany(Family::kIdempotency, idempotency_keys);
  if (!stored.ok())
    return stored.status();
  for (std::size_t i = 0; i < idempotency_keys.size(); ++i) {
    if ((*stored)[i] && !idempotency_keys[i].empty())
      stored_ids.emplace(idempotency_keys[i], *(*stored)[i]);
  }

  for (std::size_t i = 0; i < batch.messages.size(); ++i) {
    const Incoming& message = batch.messages[i];
    if (!message.valid()) {
      dead_letter(message.raw, message.errors);
      continue;
    }
    const events::Event& event = message.event;
    std::string idempotency_key = idempotency_keys[i];

    // Seen before, in this batch or in the log?
    std::optional<std::uint64_t> earlier;
    bool same = false;
    if (auto it = staged_ids.find(idempotency_key); it != staged_ids.end()) {
      earlier = records[it->second].sequence;
      same = SameContent(*record_events[it->second], event);
    } else if (auto found = stored_ids.find(idempotency_key); found != stored_ids.end()) {
      earlier = found->second;
      auto record = view.ReadRecord(*earlier);
      if (!record.ok())
        return record.status();
      auto stored = events::DecodeStoredEvent(record->event);
      if (!stored.ok())
        return stored.status();
      same = SameContent(*stored, event);
    }
    if (earlier) {
      if (same) {
        ++result->duplicates;
      } else {
        dead_letter(
            message.raw,
            {{"id", events::Rule::kDuplicateId,
              fmt::format("source {} and id {} are already in the log as sequence {}, "
                          "with different content; send a correction as a new event "
                          "(or event.retracted), never under the same id",
                          events::Quote(event.source), events::Quote(event.id), *earlier)}});
      }
      continue;
    }

    LogRecord record;
    record.sequence = state.next_sequence++;
    record.appended_at = now;
    record.origin = message.raw.origin;
    record.person = resolver_.Resolve(event.person.identifiers(), &record.conflicts);
    // Identity events have a single dataversion so far; an upcast would be needed here once
    // they have more.
    if (const auto* merged = std::get_if<events::IdentityMerged>(&event.data)) {
      resolver_.Merge(record.person, merged->merged.identifiers());
    } else if (const auto* unmerged = std::get_if<events::IdentityUnmerged>(&event.data)) {
      resolver_.Unmerge(record.person, unmerged->unmerged.identifiers());
    }
    resolver_.Index(record.person, event.time, record.sequence, &event);
    record.previous_hash = state.last_hash;
    record.event = message.encoded;
    const std::string value = EncodeLogRecord(record);
    state.last_hash = HashRecord(record.sequence, value);
    wb.Put(store_->family(Family::kLog), U64Key(record.sequence), value);
    wb.Put(store_->family(Family::kIdempotency), idempotency_key, Fixed64Value(record.sequence));
    result->identity_conflicts += record.conflicts.empty() ? 0 : 1;
    staged_ids.emplace(std::move(idempotency_key), records.size());
    records.push_back(std::move(record));
    record_events.push_back(&event);
  }

  auto* meta = store_->family(Family::kMeta);
  for (const OffsetGap& gap : batch.gaps) {
    std::string value;
    PutFixed64(&value, static_cast<std::uint64_t>(gap.to));
    PutFixed64(&value, static_cast<std::uint64_t>(gap.detected_at.unix_ms));
    wb.Put(meta, GapKey(gap.topic, gap.partition, gap.from), value);
    ++result->gaps;
  }
  for (const auto& [partition, offset] : batch.offsets) {
    wb.Put(meta, OffsetKey(partition.first, partition.second),
           Fixed64Value(static_cast<std::uint64_t>(offset)));
  }
  wb.Put(meta, kNextSequenceKey, Fixed64Value(state.next_sequence));
  wb.Put(meta, kNextPersonKey, Fixed64Value(state.next_person));
  wb.Put(meta, kNextDeadLetterKey, Fixed64Value(state.next_dead_letter));
  wb.Put(meta, kLastHashKey,
         std::string_view(reinterpret_cast<const char*>(state.last_hash.data()),
                          state.last_hash.size()));

  // Hooks run while the resolver still holds the batch's identity changes, so that they read
  // the log as it will be.
  if (!hooks_.empty()) {
    std::vector<AppendedEvent> appended;
    appended.reserve(records.size());
    for (std::size_t i = 0; i < records.size(); ++i) {
      appended.push_back({records[i].sequence, records[i].person, record_events[i], &records[i]});
    }
    Reader reader(view, &resolver_, &records);
    const std::set<std::uint64_t> touched = resolver_.touched();
    for (BatchHook* hook : hooks_) {
      if (Status s = hook->OnBatch(appended, touched, reader, &wb, &when_landed); !s.ok()) {
        return s;
      }
    }
  }
  resolver_.Finish();
  prepared->overlay = BatchOverlay::Of(wb);
  if (!prepared->overlay)
    return Status::Corruption("a batch built by the writer holds more than puts and deletes");
  if (result->dead_letters > kLoggedDeadLettersPerBatch) {
    when_landed.push_back([count = result->dead_letters] {
      spdlog::warn(
          "ingest.dead_letters count={} note=\"only the first {} of this batch were "
          "logged; all are on the DLQ topic\"",
          count, kLoggedDeadLettersPerBatch);
    });
  }
  prepared->state = state;
  prepared_ = std::move(prepared);
  result->appended = records.size();
  if (!records.empty()) {
    result->first_sequence = records.front().sequence;
    result->last_sequence = records.back().sequence;
  }
  return Status::OK();
}

}  // namespace throughline::services
