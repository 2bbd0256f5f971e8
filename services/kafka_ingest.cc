#include "services/kafka_ingest.h"

#include <algorithm>
#include <cstring>

#include <spdlog/spdlog.h>

#include "services/thread_name.h"

namespace throughline::services {

namespace {

std::string TopicOf(const rd_kafka_message_t* m) { return rd_kafka_topic_name(m->rkt); }

RawMessage ToRaw(const rd_kafka_message_t* m) {
  RawMessage raw;
  raw.origin = {TopicOf(m), m->partition, m->offset};
  rd_kafka_timestamp_type_t type;
  std::int64_t ts = rd_kafka_message_timestamp(m, &type);
  if (type != RD_KAFKA_TIMESTAMP_NOT_AVAILABLE && ts >= 0)
    raw.kafka_time = events::Timestamp{ts};
  if (m->key != nullptr)
    raw.key.emplace(static_cast<const char*>(m->key), m->key_len);
  if (m->payload != nullptr)
    raw.value.assign(static_cast<const char*>(m->payload), m->len);
  raw.headers = MessageHeaders(m);
  return raw;
}

}  // namespace

KafkaIngest::KafkaIngest(IngestOptions options, const EventStore* store, IngestQueue* queue,
                         IngestMetrics* metrics, const Clock* clock)
    : options_(std::move(options)),
      store_(store),
      queue_(queue),
      metrics_(metrics),
      clock_(clock) {}

KafkaIngest::~KafkaIngest() { Stop(); }

Status KafkaIngest::Start() {
  const KafkaSettings defaults = {
      {"group.id", options_.group},
      {"client.id", "throughline-engine"},
      // The store holds the offsets; Kafka's copy is for monitoring only.
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      // Offset out of range (retention deleted unread messages) must reach us, not be skipped.
      {"auto.offset.reset", "error"},
      {"session.timeout.ms", "10000"},
      {"heartbeat.interval.ms", "1000"},
      // Bound what librdkafka prefetches; the IngestQueue bounds the rest.
      {"queued.max.messages.kbytes", "16384"},
      // An idle partition's fetch waits this long for news: the floor of a subscriber's
      // delivery latency (50 ms gave a p50 of 58 ms, 10 ms one of 23 ms).
      {"fetch.wait.max.ms", "10"},
      // After an outage, back within a second of the brokers (the default backs off to 10 s:
      // every broker down 3 s took 7 s to be read again).
      {"reconnect.backoff.max.ms", "1000"},
  };
  auto conf = MakeKafkaConf(options_.connection, defaults);
  if (!conf.ok())
    return conf.status();
  rd_kafka_conf_set_opaque(conf->get(), this);
  rd_kafka_conf_set_rebalance_cb(conf->get(), &KafkaIngest::RebalanceCallback);
  auto consumer = MakeKafkaClient(RD_KAFKA_CONSUMER, std::move(*conf));
  if (!consumer.ok())
    return consumer.status();
  {
    std::lock_guard lock(commit_mu_);  // Commit() may already be called by the writer
    consumer_ = std::move(*consumer);
  }
  rd_kafka_poll_set_consumer(consumer_.get());

  PartitionList topics(rd_kafka_topic_partition_list_new(
      static_cast<int>(options_.topics.size() + options_.hmpps_topics.size())));
  for (const auto* list : {&options_.topics, &options_.hmpps_topics}) {
    for (const auto& topic : *list) {
      if (!options_.assign_all) {
        rd_kafka_topic_partition_list_add(topics.get(), topic.c_str(), RD_KAFKA_PARTITION_UA);
        continue;
      }
      auto partitions = PartitionCount(consumer_.get(), topic, 10000);
      if (!partitions.ok()) {
        return Status::NotFound(fmt::format("topic {}: {} (create it, or leave it out)", topic,
                                            partitions.status().message()));
      }
      for (int p = 0; p < *partitions; ++p)
        rd_kafka_topic_partition_list_add(topics.get(), topic.c_str(), p);
    }
  }
  if (options_.assign_all) {
    OnAssign(topics.get());
  } else if (auto err = rd_kafka_subscribe(consumer_.get(), topics.get()); err) {
    return KafkaError(err, "subscribing");
  }
  batch_started_ = std::chrono::steady_clock::now();
  thread_ = std::thread([this] {
    NameThisThread("tl-ingest");
    Run();
  });
  return Status::OK();
}

void KafkaIngest::Stop() {
  stop_ = true;
  if (thread_.joinable())
    thread_.join();
}

void KafkaIngest::Commit(const OffsetMap& offsets) {
  std::lock_guard lock(commit_mu_);
  if (!consumer_ || closed_ || offsets.empty())
    return;
  PartitionList list(rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size())));
  for (const auto& [tp, offset] : offsets) {
    rd_kafka_topic_partition_list_add(list.get(), tp.first.c_str(), tp.second)->offset = offset;
  }
  // Asynchronous, and failures only delay monitoring: the store already has these offsets.
  rd_kafka_commit(consumer_.get(), list.get(), 1);
}

void KafkaIngest::RebalanceCallback(rd_kafka_t*, rd_kafka_resp_err_t err,
                                    rd_kafka_topic_partition_list_t* partitions, void* opaque) {
  auto* self = static_cast<KafkaIngest*>(opaque);
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    self->OnAssign(partitions);
  } else {
    self->OnRevoke(partitions);
  }
}

void KafkaIngest::OnAssign(rd_kafka_topic_partition_list_t* partitions) {
  // Let the writer finish what it holds, so that the stored offsets are the latest.
  FlushBatch();
  if (!queue_->WaitDrained(std::chrono::seconds(60))) {
    spdlog::warn(
        "ingest.assign_wait writer_busy=true note=\"stored offsets may trail; "
        "redelivered messages will be skipped as duplicates\"");
  }
  const auto stored = store_->StoredOffsets();
  IncomingBatch gaps;
  for (int i = 0; i < partitions->cnt; ++i) {
    rd_kafka_topic_partition_t& p = partitions->elems[i];
    const std::string topic = p.topic;
    auto it = stored.find({topic, p.partition});
    std::int64_t offset = RD_KAFKA_OFFSET_BEGINNING;
    if (it != stored.end()) {
      offset = it->second;
      auto marks = QueryWatermarks(consumer_.get(), topic, p.partition, 10000);
      if (!marks.ok()) {
        spdlog::warn("ingest.watermarks topic={} partition={} error=\"{}\"", topic, p.partition,
                     marks.status().message());
      } else if (offset < marks->first) {
        gaps.gaps.push_back({topic, p.partition, offset, marks->first, clock_->Now()});
        gaps.offsets[{topic, p.partition}] = marks->first;
        spdlog::error(
            "ingest.gap topic={} partition={} from={} to={} lost={} note=\"deleted by retention "
            "before the engine read them; ask the publisher to resend them\"",
            topic, p.partition, offset, marks->first, marks->first - offset);
        offset = marks->first;
      } else if (offset > marks->second) {
        spdlog::warn(
            "ingest.offset_beyond_end topic={} partition={} stored={} end={} note=\"the topic "
            "was recreated (or the embedded cluster restarted); reading it from the start, "
            "events already in the log are skipped as duplicates\"",
            topic, p.partition, offset, marks->second);
        offset = marks->first;
      }
    }
    p.offset = offset;
    next_offset_[{topic, p.partition}] = offset;
    spdlog::info(
        "ingest.assigned topic={} partition={} offset={}", topic, p.partition,
        offset == RD_KAFKA_OFFSET_BEGINNING ? std::string("beginning") : std::to_string(offset));
  }
  if (!gaps.empty()) {
    metrics_->gaps += gaps.gaps.size();
    queue_->Push(std::move(gaps));
  }
  if (std::strcmp(rd_kafka_rebalance_protocol(consumer_.get()), "COOPERATIVE") == 0) {
    if (rd_kafka_error_t* error = rd_kafka_incremental_assign(consumer_.get(), partitions)) {
      spdlog::error("ingest.assign error=\"{}\"", rd_kafka_error_string(error));
      rd_kafka_error_destroy(error);
    }
  } else {
    rd_kafka_assign(consumer_.get(), partitions);
  }
  paused_ = false;
  metrics_->assigned = true;
}

void KafkaIngest::OnRevoke(rd_kafka_topic_partition_list_t* partitions) {
  // What was consumed from these partitions still goes to the writer: the log is this
  // engine's own, so writing it after the revoke is correct, and its offsets go with it.
  FlushBatch();
  for (int i = 0; i < partitions->cnt; ++i) {
    spdlog::info("ingest.revoked topic={} partition={}", partitions->elems[i].topic,
                 partitions->elems[i].partition);
    next_offset_.erase({partitions->elems[i].topic, partitions->elems[i].partition});
  }
  if (std::strcmp(rd_kafka_rebalance_protocol(consumer_.get()), "COOPERATIVE") == 0) {
    if (rd_kafka_error_t* error = rd_kafka_incremental_unassign(consumer_.get(), partitions)) {
      rd_kafka_error_destroy(error);
    }
  } else {
    rd_kafka_assign(consumer_.get(), nullptr);
    metrics_->assigned = false;
  }
}

void KafkaIngest::Run() {
  using Clock = std::chrono::steady_clock;
  while (!stop_) {
    if (paused_ && !queue_->stalled() && queue_->bytes() < options_.max_queued_bytes / 2)
      SetPaused(false);
    int wait_ms = 100;
    if (!batch_.messages.empty()) {
      auto age =
          std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - batch_started_);
      // Back within a millisecond to see whether the writer has become idle.
      wait_ms = std::clamp<int>(options_.batch_wait_ms - static_cast<int>(age.count()), 0, 1);
    }
    KafkaMessage message(rd_kafka_consumer_poll(consumer_.get(), wait_ms));
    if (message)
      Handle(message.get());
    const bool full = batch_.messages.size() >= options_.batch_messages;
    const bool old =
        !batch_.messages.empty() &&
        Clock::now() - batch_started_ >= std::chrono::milliseconds(options_.batch_wait_ms);
    // Group commit: a writer with nothing to do takes what has come at once, and what comes
    // while it writes gathers into the next batch. Waiting out batch_wait_ms here instead added
    // up to 5 ms to every live event's delivery, for batches the writer merges anyway.
    if (full || old || (!batch_.messages.empty() && queue_->idle()))
      FlushBatch();
    if (!paused_) {
      bool behind = queue_->bytes() > options_.max_queued_bytes;
      // The writer behind: wait for it, not polling, for as long as a batch takes to write.
      // librdkafka goes on prefetching up to its own bound (queued.max.messages.kbytes).
      // Pausing instead dropped what it had prefetched, and a resumed partition took about
      // 0.9 s to fetch again, while the writer waited for messages (up to a second of the
      // bench's 24).
      if (behind && !queue_->stalled()) {
        queue_->WaitBytesAtMost(options_.max_queued_bytes, options_.writer_catch_up);
        behind = queue_->bytes() > options_.max_queued_bytes;
      }
      // Still behind, or unable to write (a full disk): pause, and poll on for the group's sake.
      if (behind || queue_->stalled())
        SetPaused(true);
    }
    if (Clock::now() - last_lag_update_ > std::chrono::seconds(1))
      UpdateLag();
  }
  FlushBatch();
  {
    std::lock_guard lock(commit_mu_);
    closed_ = true;
  }
  rd_kafka_consumer_close(consumer_.get());
  metrics_->assigned = false;
}

void KafkaIngest::Handle(const rd_kafka_message_t* message) {
  if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF)
    return;
  if (message->err == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET ||
      message->err == RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE) {
    HandleOffsetReset(message);
    return;
  }
  if (message->err) {
    spdlog::warn("ingest.kafka_error error=\"{}\"", rd_kafka_message_errstr(message));
    return;
  }
  ++metrics_->consumed;
  // Which reader a message needs is a property of the topic it came by.
  const auto& hmpps = options_.hmpps_topics;
  Incoming in = std::find(hmpps.begin(), hmpps.end(), TopicOf(message)) != hmpps.end()
                    ? ParseMessage(ToRaw(message), hmpps_)
                    : ParseMessage(ToRaw(message), parser_);
  if (in.raw.kafka_time) {
    const std::int64_t ms = clock_->Now().unix_ms - in.raw.kafka_time->unix_ms;
    metrics_->kafka_delay.Record(static_cast<std::uint64_t>(std::max<std::int64_t>(ms, 0)) * 1000);
  }
  if (batch_.messages.empty()) {
    batch_started_ = std::chrono::steady_clock::now();
    batch_.first_consumed = batch_started_;
  }
  const auto tp = std::make_pair(in.raw.origin.topic, in.raw.origin.partition);
  batch_.offsets[tp] = in.raw.origin.offset + 1;
  next_offset_[tp] = in.raw.origin.offset + 1;
  batch_.bytes += in.raw.value.size() + in.encoded.size() + 256;
  batch_.messages.push_back(std::move(in));
}

void KafkaIngest::HandleOffsetReset(const rd_kafka_message_t* message) {
  const std::string topic = message->rkt ? TopicOf(message) : std::string();
  const std::int32_t partition = message->partition;
  if (topic.empty()) {
    spdlog::error("ingest.offset_reset error=\"{}\"", rd_kafka_message_errstr(message));
    return;
  }
  auto it = next_offset_.find({topic, partition});
  auto marks = QueryWatermarks(consumer_.get(), topic, partition, 10000);
  if (!marks.ok()) {
    // Kafka cannot say what the partition holds now: try where ingest was again; a real gap
    // comes back as another reset, answered once the watermarks can be read.
    spdlog::warn("ingest.offset_reset topic={} partition={} error=\"{}\" watermarks=\"{}\"", topic,
                 partition, rd_kafka_message_errstr(message), marks.status().message());
    if (it != next_offset_.end())
      Reassign(topic, partition, it->second);
    return;
  }
  const std::int64_t expected = it != next_offset_.end() ? it->second : marks->first;
  // Within what the partition holds, the reset was spurious (a leader not yet caught up says
  // so): carry on from where ingest was. Before it, retention deleted them: record the gap.
  // Past its end, the topic was recreated: from the start, the log skips what it has.
  const bool held = expected >= marks->first && expected <= marks->second;
  const std::int64_t resume = held ? expected : marks->first;
  FlushBatch();
  if (expected >= 0 && expected < marks->first) {
    IncomingBatch gap;
    gap.gaps.push_back({topic, partition, expected, marks->first, clock_->Now()});
    gap.offsets[{topic, partition}] = marks->first;
    ++metrics_->gaps;
    queue_->Push(std::move(gap));
    spdlog::error(
        "ingest.gap topic={} partition={} from={} to={} lost={} note=\"deleted by retention "
        "before the engine read them; ask the publisher to resend them\"",
        topic, partition, expected, marks->first, marks->first - expected);
  }
  spdlog::warn("ingest.offset_reset topic={} partition={} expected={} low={} high={} resume={}",
               topic, partition, expected, marks->first, marks->second, resume);
  next_offset_[{topic, partition}] = resume;
  Reassign(topic, partition, resume);
}

void KafkaIngest::Reassign(const std::string& topic, std::int32_t partition, std::int64_t offset) {
  // After an offset reset error librdkafka stops fetching the partition and refuses a seek on
  // it (ERR__STATE; librdkafka issue 2961): the partition stalled for good. Assigning it again
  // at the offset starts its fetcher afresh.
  if (std::strcmp(rd_kafka_rebalance_protocol(consumer_.get()), "COOPERATIVE") == 0) {
    PartitionList one(rd_kafka_topic_partition_list_new(1));
    rd_kafka_topic_partition_list_add(one.get(), topic.c_str(), partition)->offset = offset;
    for (auto* f : {&rd_kafka_incremental_unassign, &rd_kafka_incremental_assign}) {
      if (rd_kafka_error_t* error = f(consumer_.get(), one.get())) {
        spdlog::error("ingest.reassign topic={} partition={} error=\"{}\"", topic, partition,
                      rd_kafka_error_string(error));
        rd_kafka_error_destroy(error);
      }
    }
    return;
  }
  // Eager (or no group): the whole assignment again, every other partition where it was.
  rd_kafka_topic_partition_list_t* current = nullptr;
  if (rd_kafka_assignment(consumer_.get(), &current) != RD_KAFKA_RESP_ERR_NO_ERROR)
    return;
  PartitionList list(current);
  for (int i = 0; i < list->cnt; ++i) {
    rd_kafka_topic_partition_t& p = list->elems[i];
    auto next = next_offset_.find({p.topic, p.partition});
    p.offset = next != next_offset_.end() ? next->second : RD_KAFKA_OFFSET_BEGINNING;
  }
  if (auto err = rd_kafka_assign(consumer_.get(), list.get()); err) {
    spdlog::error("ingest.reassign topic={} partition={} error=\"{}\"", topic, partition,
                  rd_kafka_err2str(err));
  }
  paused_ = false;  // a new assignment starts unpaused; Run() pauses it again if it must
}

void KafkaIngest::FlushBatch() {
  if (batch_.empty())
    return;
  queue_->Push(std::move(batch_));
  batch_ = IncomingBatch{};
}

void KafkaIngest::SetPaused(bool paused) {
  rd_kafka_topic_partition_list_t* assignment = nullptr;
  if (rd_kafka_assignment(consumer_.get(), &assignment) != RD_KAFKA_RESP_ERR_NO_ERROR)
    return;
  PartitionList list(assignment);
  if (paused) {
    rd_kafka_pause_partitions(consumer_.get(), list.get());
    ++metrics_->pauses;
    spdlog::info("ingest.paused queued_bytes={} note=\"{}\"", queue_->bytes(),
                 queue_->stalled() ? "the writer cannot write" : "the writer is behind");
  } else {
    rd_kafka_resume_partitions(consumer_.get(), list.get());
    spdlog::info("ingest.resumed queued_bytes={}", queue_->bytes());
  }
  paused_ = paused;
}

void KafkaIngest::UpdateLag() {
  last_lag_update_ = std::chrono::steady_clock::now();
  for (const auto& [tp, next] : next_offset_) {
    std::int64_t low = 0, high = 0;
    if (next < 0)
      continue;
    if (rd_kafka_get_watermark_offsets(consumer_.get(), tp.first.c_str(), tp.second, &low, &high) ==
            RD_KAFKA_RESP_ERR_NO_ERROR &&
        high >= 0) {
      metrics_->SetLag(tp.first, tp.second, std::max<std::int64_t>(0, high - next));
    }
  }
}

}  // namespace throughline::services
