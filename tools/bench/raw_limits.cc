#include "tools/bench/raw_limits.h"

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <simdjson.h>
#include <thread>
#include <unistd.h>

#include <fmt/format.h>
#include <rocksdb/write_batch.h>

#include "events/envelope_parser.h"
#include "events/event_codec.h"
#include "services/clock.h"
#include "services/event_publisher.h"
#include "services/kafka_client.h"
#include "services/log_record.h"
#include "services/store_keys.h"
#include "tools/bench/cpu_time.h"

namespace throughline::bench {

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// A consumer of every partition of `topic` from its beginning, outside any group's balancing.
Result<services::KafkaHandle> ConsumerFromStart(const std::string& bootstrap,
                                                const std::string& topic,
                                                const services::KafkaSettings& settings) {
  auto conf = services::MakeKafkaConf({bootstrap, {}}, settings);
  if (!conf.ok())
    return conf.status();
  auto consumer = services::MakeKafkaClient(RD_KAFKA_CONSUMER, std::move(*conf));
  if (!consumer.ok())
    return consumer.status();
  auto partitions = services::PartitionCount(consumer->get(), topic, 10000);
  if (!partitions.ok())
    return partitions.status();
  services::PartitionList list(rd_kafka_topic_partition_list_new(*partitions));
  for (int p = 0; p < *partitions; ++p) {
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p)->offset =
        RD_KAFKA_OFFSET_BEGINNING;
  }
  rd_kafka_assign(consumer->get(), list.get());
  return consumer;
}

}  // namespace

std::vector<RawRecord> RawRecordsOf(const std::vector<std::string>& json, const std::string& topic,
                                    int partitions) {
  std::vector<RawRecord> records;
  records.reserve(json.size());
  events::EnvelopeParser parser;
  const events::Timestamp now = services::SystemClock().Now();
  services::LogRecord record;
  record.appended_at = now;
  record.previous_hash.fill(0xA5);
  record.origin.topic = topic;
  for (const auto& text : json) {
    auto parsed = parser.Parse(text);
    if (!parsed.ok())
      continue;
    const events::Event& event = parsed.event;
    const std::uint64_t sequence = records.size() + 1;
    const auto identifiers = event.person.identifiers();
    record.person =
        1 +
        (identifiers.empty() ? sequence : std::hash<std::string>{}(identifiers[0].value)) % 100'003;
    record.origin.partition = static_cast<std::int32_t>(sequence % partitions);
    record.origin.offset = static_cast<std::int64_t>(sequence / partitions);
    record.event = events::EncodeEvent(event);
    records.push_back({services::EncodeLogRecord(record),
                       services::PersonEventKey(record.person, event.time, sequence),
                       services::IdempotencyKey(event.source, event.id)});
  }
  return records;
}

Result<RawAppendResult> RawAppend(const std::vector<RawRecord>& records, const std::string& dir,
                                  std::size_t batch, bool sync) {
  services::StoreOptions options;
  options.sync = sync;
  auto store = services::EventStore::Open(dir, options);
  if (!store.ok())
    return store.status();
  auto* log = (*store)->family(services::Family::kLog);
  auto* index = (*store)->family(services::Family::kPersonEvents);
  auto* idempotency = (*store)->family(services::Family::kIdempotency);
  const double cpu_before = ProcessCpuSeconds(getpid());
  const auto start = Clock::now();
  rocksdb::WriteBatch wb;
  for (std::size_t i = 0; i < records.size(); ++i) {
    const std::uint64_t sequence = i + 1;
    wb.Put(log, services::U64Key(sequence), records[i].log_value);
    wb.Put(index, records[i].person_event_key, "");
    wb.Put(idempotency, records[i].idempotency_key, services::Fixed64Value(sequence));
    if (wb.Count() >= 3 * batch || i + 1 == records.size()) {
      if (Status s = (*store)->Write(&wb); !s.ok())
        return s;
      wb.Clear();
    }
  }
  const double seconds = Seconds(start);
  const double cpu = ProcessCpuSeconds(getpid()) - cpu_before;
  if (records.empty())
    return RawAppendResult{};
  return RawAppendResult{static_cast<double>(records.size()) / seconds,
                         1e6 * cpu / static_cast<double>(records.size())};
}

Result<double> RawConsume(const std::string& bootstrap, const std::string& topic,
                          std::uint64_t count) {
  auto consumer = ConsumerFromStart(bootstrap, topic,
                                    {{"group.id", "bench-raw"},
                                     {"enable.auto.commit", "false"},
                                     {"auto.offset.reset", "earliest"}});
  if (!consumer.ok())
    return consumer.status();
  std::uint64_t got = 0;
  std::size_t bytes = 0;
  const auto start = Clock::now();
  while (got < count) {
    services::KafkaMessage m(rd_kafka_consumer_poll(consumer->get(), 100));
    if (!m || m->err)
      continue;
    bytes += m->len;  // touch it, as a consumer would
    ++got;
    if (Seconds(start) > 300) {
      return Status::IOError(fmt::format("raw consume: {} of {} messages after 300 s", got, count));
    }
  }
  const double rate = static_cast<double>(got) / Seconds(start);
  rd_kafka_consumer_close(consumer->get());
  return bytes > 0 ? rate : 0.0;
}

Result<Latencies> RawDeliveryLatency(const std::string& bootstrap, const std::string& topic,
                                     const std::vector<std::string>& messages,
                                     const std::vector<std::string>& ids, double rate) {
  auto consumer = ConsumerFromStart(bootstrap, topic,
                                    {{"group.id", "bench-raw-latency"},
                                     {"enable.auto.commit", "false"},
                                     {"fetch.wait.max.ms", "10"}});
  if (!consumer.ok())
    return consumer.status();
  // Until every partition's fetcher runs: a first fetch takes most of a second.
  const auto warm = Clock::now();
  while (Seconds(warm) < 2)
    services::KafkaMessage(rd_kafka_consumer_poll(consumer->get(), 100));

  services::PublishOptions publish;
  publish.connection.bootstrap = bootstrap;
  publish.topic = topic;
  publish.max_lag = 0;
  auto publisher = services::EventPublisher::Open(publish);
  if (!publisher.ok())
    return publisher.status();

  // The first messages are not timed: a new producer's first ones wait for its connections
  // and its idempotent producer id, about a second, which the engine's warm producer does not.
  const std::size_t warm_up = std::min<std::size_t>(500, messages.size() / 10);
  Latencies latencies;
  std::mutex mu;
  std::map<std::string, Clock::time_point, std::less<>> sent;
  const std::size_t expected =
      std::set<std::string>(ids.begin() + static_cast<std::ptrdiff_t>(warm_up), ids.end()).size();
  std::atomic<std::size_t> consumed{0};
  std::atomic<bool> produced{false};
  std::thread receiver([&] {
    simdjson::dom::parser parser;
    std::size_t received = 0;
    auto finished_at = Clock::time_point::max();
    while (received < expected && Clock::now() < finished_at) {
      services::KafkaMessage m(rd_kafka_consumer_poll(consumer->get(), 100));
      if (produced && finished_at == Clock::time_point::max())
        finished_at = Clock::now() + std::chrono::seconds(5);
      if (!m || m->err)
        continue;
      const auto now = Clock::now();
      ++consumed;
      std::string_view id;
      if (parser.parse(static_cast<const char*>(m->payload), m->len)["id"].get(id))
        continue;
      std::lock_guard lock(mu);
      if (auto it = sent.find(id); it != sent.end()) {
        latencies.Add(now - it->second);
        sent.erase(it);
        ++received;
      }
    }
  });
  Status status;
  for (std::size_t i = 0; i < warm_up && status.ok(); ++i)
    status = (*publisher)->Publish(messages[i]);
  if (status.ok())
    status = (*publisher)->Flush();
  for (const auto waited = Clock::now(); consumed < warm_up && Seconds(waited) < 10;)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  const auto start = Clock::now();
  for (std::size_t i = warm_up; i < messages.size() && status.ok(); ++i) {
    std::this_thread::sleep_until(
        start + std::chrono::duration_cast<Clock::duration>(
                    std::chrono::duration<double>(static_cast<double>(i - warm_up) / rate)));
    {
      std::lock_guard lock(mu);
      sent.emplace(ids[i], Clock::now());
    }
    status = (*publisher)->Publish(messages[i]);
  }
  if (status.ok())
    status = (*publisher)->Flush();
  produced = true;
  receiver.join();
  rd_kafka_consumer_close(consumer->get());
  if (!status.ok())
    return status;
  return latencies;
}

double RawScan(const services::EventStore& store, services::Family family, std::uint64_t* count) {
  rocksdb::ReadOptions read;
  read.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator(read, store.family(family)));
  std::uint64_t n = 0;
  std::size_t bytes = 0;
  const auto start = Clock::now();
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    bytes += it->key().size() + it->value().size();
    ++n;
  }
  if (count != nullptr)
    *count = n;
  return bytes > 0 ? static_cast<double>(n) / Seconds(start) : 0.0;
}

Latencies RawGets(const services::EventStore& store, services::Family family,
                  const std::vector<std::string>& keys) {
  Latencies latencies;
  std::string value;
  for (const auto& key : keys) {
    const auto start = Clock::now();
    store.db()
        ->Get(rocksdb::ReadOptions(), store.family(family), key, &value)
        .PermitUncheckedError();
    latencies.Add(Clock::now() - start);
  }
  return latencies;
}

}  // namespace throughline::bench
