#include "services/engine.h"

#include <algorithm>
#include <chrono>
#include <fstream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "services/rebuilder.h"
#include "services/store_stats.h"
#include "services/thread_name.h"

namespace throughline::services {

namespace {

// The longest wait between two attempts at a failed write (and at resuming the store): how
// long ingest may stay paused after the disk has room again.
constexpr int kMaxWriteBackoffMs = 2000;
// Said wherever the engine promises a restart loses nothing: the embedded cluster lives in this
// process, and the messages the log had not stored go with it.
constexpr const char* kLostWithEmbeddedKafka =
    ", except from the embedded Kafka, which goes with this process";

}  // namespace

Engine::Engine(EngineOptions options, const Clock* clock)
    : options_(std::move(options)), clock_(clock) {}

Result<std::unique_ptr<Engine>> Engine::Start(EngineOptions options, const Clock* clock) {
  std::unique_ptr<Engine> engine(new Engine(std::move(options), clock));
  EngineOptions& o = engine->options_;
  if (o.data_dir.empty())
    return Status::InvalidArgument("--data is required");
  for (const auto& topic : o.hmpps_topics) {
    if (std::find(o.topics.begin(), o.topics.end(), topic) != o.topics.end()) {
      return Status::InvalidArgument(fmt::format(
          "topic {} is both a native and an HMPPS topic: a topic's messages are read one way",
          topic));
    }
  }

  auto store = EventStore::Open(o.data_dir, o.store);
  if (!store.ok())
    return store.status();
  engine->store_ = std::move(*store);
  const LogState state = engine->store_->state();
  spdlog::info("store.opened data={} events={} persons={} next_sequence={}", o.data_dir,
               state.next_sequence - 1, state.next_person - 1, state.next_sequence);

  KafkaConnection connection = o.kafka;
  if (connection.bootstrap.empty()) {
    auto kafka = EmbeddedKafka::Start();
    if (!kafka.ok())
      return kafka.status();
    engine->embedded_ = std::move(*kafka);
    std::vector<std::string> topics = o.topics;
    topics.insert(topics.end(), o.hmpps_topics.begin(), o.hmpps_topics.end());
    topics.push_back(o.dead_letter_topic);
    topics.push_back(o.change_topic);
    for (const std::string& topic : topics) {
      if (topic.empty())
        continue;
      if (Status s = engine->embedded_->CreateTopic(topic, o.embedded_partitions); !s.ok())
        return s;
    }
    connection.bootstrap = engine->embedded_->bootstrap();
    spdlog::info("kafka.embedded bootstrap={} partitions={}", connection.bootstrap,
                 o.embedded_partitions);
  }
  engine->bootstrap_ = connection.bootstrap;
  {
    std::ofstream out(o.data_dir + "/kafka.bootstrap", std::ios::trunc);
    out << connection.bootstrap << '\n';
    if (!out)
      return Status::IOError("cannot write " + o.data_dir + "/kafka.bootstrap");
  }

  // Views built by other projection code are rebuilt on the writer's thread before it writes
  // anything (WriterLoop), so that the API can serve (and say it is rebuilding) meanwhile.
  engine->log_ = ProjectedLog::OpenWithoutRebuild(engine->store_.get(), clock);
  for (BatchHook* hook : o.hooks) {
    engine->log_->writer().AddHook(hook);
  }

  engine->dead_letters_ = std::make_unique<DeadLetterPublisher>(
      connection, o.dead_letter_topic, engine->store_.get(), &engine->metrics_);
  if (Status s = engine->dead_letters_->Start(); !s.ok())
    return s;
  if (!o.change_topic.empty()) {
    engine->changes_ =
        std::make_unique<ChangePublisher>(connection, o.change_topic, engine->store_.get());
    if (Status s = engine->changes_->Start(); !s.ok())
      return s;
  }

  IngestOptions ingest = o.ingest;
  ingest.connection = connection;
  ingest.topics = o.topics;
  ingest.hmpps_topics = o.hmpps_topics;
  ingest.group = o.group;
  engine->ingest_ = std::make_unique<KafkaIngest>(std::move(ingest), engine->store_.get(),
                                                  &engine->queue_, &engine->metrics_, clock);
  engine->progress_at_ = std::chrono::steady_clock::now();
  engine->writer_thread_ = std::thread([e = engine.get()] {
    NameThisThread("tl-writer");
    e->WriterLoop();
  });
  if (Status s = engine->ingest_->Start(); !s.ok())
    return s;
  spdlog::info("engine.started topics={} hmpps_topics={} group={} dead_letter_topic={}",
               fmt::join(o.topics, ","), fmt::join(o.hmpps_topics, ","), o.group,
               o.dead_letter_topic);
  return engine;
}

Engine::~Engine() { Stop(); }

void Engine::Stop() {
  if (stopped_)
    return;
  stopped_ = true;
  spdlog::info("engine.stopping");
  if (ingest_)
    ingest_->Stop();  // hands over its last batch and leaves the group
  closing_ = true;
  queue_.Close();
  if (writer_thread_.joinable())
    writer_thread_.join();
  if (dead_letters_)
    dead_letters_->Stop();
  if (changes_)
    changes_->Stop();
  if (store_) {
    if (Status s = store_->Flush(); !s.ok())
      spdlog::warn("store.flush error=\"{}\"", s.message());
  }
  LogProgress(true);
  // Clients before the cluster they talk to, the store last but one.
  ingest_.reset();
  dead_letters_.reset();
  changes_.reset();
  log_.reset();
  store_.reset();
  embedded_.reset();
  spdlog::info("engine.stopped");
}

bool Engine::AlertsCheckDue() const {
  return std::chrono::steady_clock::now() - alerts_checked_at_ >= std::chrono::seconds(1);
}

void Engine::RaiseDueAlerts() {
  if (!AlertsCheckDue())
    return;
  alerts_checked_at_ = std::chrono::steady_clock::now();
  std::vector<projections::Alert> raised;
  if (Status s = log_->projector().RaiseDue(&raised); !s.ok()) {
    spdlog::error("alerts.raise_due_failed error=\"{}\"", s.ToString());
  }
  if (!raised.empty() && options_.on_alerts_raised)
    options_.on_alerts_raised(raised);
}

Readiness Engine::Ready() const {
  Readiness r;
  if (!metrics_.assigned)
    r.reasons.push_back("not consuming: no Kafka partition is assigned (is Kafka reachable?)");
  std::int64_t lag = 0;
  for (const auto& [tp, l] : metrics_.Lag())
    lag += std::max<std::int64_t>(l, 0);
  if (lag > options_.ready_max_lag) {
    r.reasons.push_back(fmt::format("catching up: {} messages behind (ready at {} or fewer)", lag,
                                    options_.ready_max_lag));
  }
  if (rebuilding_) {
    r.reasons.push_back(fmt::format("rebuilding the views: {} of {} persons", rebuild_done_.load(),
                                    rebuild_total_.load()));
  } else if (const StoreError error = store_ ? store_->background_error() : StoreError{};
             error.fatal) {
    r.reasons.push_back(fmt::format(
        "store error: the store is read-only after \"{}\", which this process cannot undo; "
        "ingest is paused: restart the engine (nothing is lost: it replays its write-ahead log "
        "and reads what it had not written from Kafka again{})",
        error.message, embedded_ ? kLostWithEmbeddedKafka : ""));
  } else if (!error.ok()) {
    r.reasons.push_back(fmt::format(
        "{}: the store is read-only after \"{}\"; ingest is paused and resumes by itself "
        "once it can write",
        error.no_space ? "disk full" : "store error", error.message));
  } else if (writer_failing_) {
    std::lock_guard lock(writer_error_mu_);
    r.reasons.push_back(fmt::format("the log cannot be written: \"{}\"; ingest is paused, retrying",
                                    writer_error_));
  }
  r.ready = r.reasons.empty();
  return r;
}

void Engine::WriterLoop() {
  rebuilding_ = true;
  Status rebuilt = RebuildIfStale(store_.get(), *clock_, [this](const RebuildProgress& p) {
    rebuild_done_ = p.persons_done;
    rebuild_total_ = p.persons_total;
  });
  rebuilding_ = false;
  if (!rebuilt.ok()) {
    // Nothing can be folded into views of another version: consume nothing until restarted.
    spdlog::error(
        "projections.rebuild_failed error=\"{}\" note=\"ingest is stopped; fix the cause "
        "and restart the engine\"",
        rebuilt.ToString());
    {
      std::lock_guard lock(writer_error_mu_);
      writer_error_ = "rebuilding the views failed: " + rebuilt.ToString();
    }
    writer_failing_ = true;
    while (!closing_)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    return;
  }
  // The batch being written on the writer's helper while the next is prepared (log_writer.h).
  std::optional<TakenBatch> in_flight;
  auto land = [&] {
    const bool landed = Land(*in_flight);
    in_flight.reset();
    return landed;
  };
  while (true) {
    // Due alerts are read from the store as it stands: nothing may be in flight.
    if (in_flight && AlertsCheckDue() && !land())
      return;
    if (!in_flight)
      RaiseDueAlerts();
    // With a batch in flight, whatever is queued is prepared at once, and the one in flight is
    // told of as soon as it lands.
    const auto wait_started = std::chrono::steady_clock::now();
    auto taken =
        queue_.Take(std::chrono::milliseconds(in_flight ? 0 : 100), options_.write_batch_messages);
    if (!in_flight) {
      metrics_.writer_waiting_us += std::chrono::duration_cast<std::chrono::microseconds>(
                                        std::chrono::steady_clock::now() - wait_started)
                                        .count();
    }
    if (!taken) {
      if (in_flight) {
        if (!land())
          return;
        continue;
      }
      if (closing_)
        return;
      ResumeStoreIfStopped();  // a flush may have failed while no batch was written
      LogProgress(false);
      continue;
    }
    TakenBatch next{std::move(*taken), {}, std::nullopt, std::chrono::steady_clock::now()};
    // One that has landed already is told of now, not after the next is prepared.
    if (in_flight && log_->writer().write_finished() && !land()) {
      queue_.Done();
      return;
    }
    log_->projector().KeepChanges(options_.changes_wanted && options_.changes_wanted());
    const Status prepared = log_->writer().Prepare(next.batch, &next.result);
    if (prepared.ok())
      next.changes = log_->projector().TakeChanges();
    if (in_flight && !land()) {
      queue_.Done();  // abandoned with the one in flight: read from Kafka again at the next start
      return;
    }
    if (prepared.ok() && log_->writer().has_prepared()) {
      log_->writer().StartWrite();
      in_flight = std::move(next);
      continue;
    }
    // Not prepared (an error), nothing to write, or prepared on top of a write that failed and
    // so dropped: appended alone, with retries.
    if (!AppendWithRetry(next.batch, &next.result, prepared)) {
      queue_.Done();
      return;
    }
    next.changes = log_->projector().TakeChanges();
    Committed(next);
  }
}

bool Engine::Land(TakenBatch& taken) {
  if (Status written = log_->writer().FinishWrite(); !written.ok()) {
    if (!AppendWithRetry(taken.batch, &taken.result, written)) {
      queue_.Done();
      return false;
    }
    taken.changes = log_->projector().TakeChanges();
  }
  Committed(taken);
  return true;
}

void Engine::Committed(TakenBatch& taken) {
  const AppendResult& result = taken.result;
  const auto committed = std::chrono::steady_clock::now();
  metrics_.batch_write.RecordBetween(taken.started, committed);
  if (taken.batch.first_consumed != std::chrono::steady_clock::time_point{})
    metrics_.batch_age.RecordBetween(taken.batch.first_consumed, committed);
  metrics_.appended += result.appended;
  metrics_.duplicates += result.duplicates;
  metrics_.dead_letters += result.dead_letters;
  metrics_.identity_conflicts += result.identity_conflicts;
  ++metrics_.batches;
  if (result.last_sequence)
    metrics_.last_sequence = result.last_sequence;
  ingest_->Commit(taken.batch.offsets);
  if (options_.on_committed && result.last_sequence)
    options_.on_committed(result.last_sequence,
                          taken.changes ? std::move(*taken.changes) : std::vector<LogChange>{});
  if (result.dead_letters)
    dead_letters_->Notify();
  if (changes_ && result.last_sequence)
    changes_->Notify();
  queue_.Done();
  LogProgress(false);
}

bool Engine::AppendWithRetry(const IncomingBatch& batch, AppendResult* result,
                             const Status& failed) {
  const auto started = std::chrono::steady_clock::now();
  int backoff_ms = 100;
  for (int attempt = 1;; ++attempt) {
    Status s = attempt == 1 && !failed.ok() ? failed : log_->writer().Append(batch, result);
    if (s.ok()) {
      if (attempt > 1) {
        spdlog::info(
            "writer.recovered attempts={} seconds={:.1f}", attempt,
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
      }
      queue_.SetStalled(false);
      writer_failing_ = false;
      return true;
    }
    ++metrics_.write_errors;
    {
      std::lock_guard lock(writer_error_mu_);
      writer_error_ = s.ToString();
    }
    writer_failing_ = true;
    queue_.SetStalled(true);  // the consumer pauses: nothing more is read until this is written
    // Every attempt at first, then one line in ten: a full disk can last hours.
    if (attempt <= 3 || attempt % 10 == 0) {
      spdlog::error(
          "writer.append_failed attempt={} error=\"{}\" note=\"nothing of the batch was "
          "written and its offsets were not stored; retrying, ingest paused meanwhile\"",
          attempt, s.ToString());
    }
    if (closing_ && attempt >= 3) {
      // Its offsets were not stored either: the next start consumes it again.
      spdlog::error(
          "writer.batch_abandoned messages={} note=\"not lost: it is read from Kafka "
          "again at the next start\"",
          batch.messages.size());
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(backoff_ms));
    backoff_ms = std::min(backoff_ms * 2, kMaxWriteBackoffMs);
    ResumeStoreIfStopped();
  }
}

void Engine::ResumeStoreIfStopped() {
  const StoreError error = store_->background_error();
  if (error.ok())
    return;
  if (error.fatal) {
    if (!store_failure_reported_) {
      store_failure_reported_ = true;
      spdlog::error(
          "store.failed error=\"{}\" note=\"RocksDB cannot resume writing after this error; "
          "only reopening the store clears it: restart the engine (nothing is lost{})\"",
          error.message, embedded_ ? kLostWithEmbeddedKafka : "");
      if (options_.on_store_failed)
        options_.on_store_failed(error.message);
    }
    return;
  }
  const auto now = std::chrono::steady_clock::now();
  if (now - resume_tried_at_ < std::chrono::milliseconds(kMaxWriteBackoffMs))
    return;
  resume_tried_at_ = now;
  // RocksDB stays read-only after a background error until resumed (store_listener.h).
  if (Status s = store_->Resume(); !s.ok()) {
    spdlog::warn("store.resume_failed error=\"{}\" cause=\"{}\"", s.message(), error.message);
  }
}

void Engine::LogProgress(bool final) {
  const auto now = std::chrono::steady_clock::now();
  const double seconds = std::chrono::duration<double>(now - progress_at_).count();
  if (!final && seconds < 10)
    return;
  const std::uint64_t appended = metrics_.appended;
  if (appended == progress_appended_ && !final) {
    progress_at_ = now;
    return;
  }
  std::int64_t lag = 0;
  for (const auto& [tp, l] : metrics_.Lag())
    lag += l;
  spdlog::info(
      "ingest.progress appended={} rate={:.0f}/s duplicates={} dead_letters={} "
      "conflicts={} gaps={} last_sequence={} lag={} write_stall={:.3f}s",
      appended, seconds > 0 ? (appended - progress_appended_) / seconds : 0.0,
      metrics_.duplicates.load(), metrics_.dead_letters.load(), metrics_.identity_conflicts.load(),
      metrics_.gaps.load(), metrics_.last_sequence.load(), lag, WriteStallSeconds(*store_));
  progress_at_ = now;
  progress_appended_ = appended;
}

}  // namespace throughline::services
