// The physical limits each workload is compared with, measured on the same data in the same
// run: what RocksDB and librdkafka do when nothing of ours runs.

#ifndef THROUGHLINE_TOOLS_BENCH_RAW_LIMITS_H_
#define THROUGHLINE_TOOLS_BENCH_RAW_LIMITS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "events/status.h"
#include "services/event_store.h"
#include "tools/bench/latency.h"

namespace throughline::bench {

// One event as the writer stores it, made before the clock starts: its log record (header
// and event, docs/formats.md), and the keys of the person index and the idempotency index
// that the writer adds beside it.
struct RawRecord {
  std::string log_value;
  std::string person_event_key;
  std::string idempotency_key;
};

// The events of `json` that parse, as RawRecords: each record's header as the writer fills it
// for a message of `topic` (its partition and offset, the append time, a previous hash of the
// same length), its person a number from its strongest identifier, so that a person's index
// entries sort together as the engine's do.
std::vector<RawRecord> RawRecordsOf(const std::vector<std::string>& json, const std::string& topic,
                                    int partitions);

struct RawAppendResult {
  double per_second = 0;
  // The bench process's CPU (user and system, every thread: RocksDB's flushes included) for
  // each record, in µs.
  double cpu_us_per_record = 0;
};

// Appends `records` to a fresh store in `dir`, as the writer would with nothing else to do:
// WriteBatches of `batch` records of three keys each (the log, the person index, the
// idempotency index), synced per batch when `sync`.
Result<RawAppendResult> RawAppend(const std::vector<RawRecord>& records, const std::string& dir,
                                  std::size_t batch, bool sync);

// Consumes `count` messages of `topic` from the beginning with librdkafka, doing nothing with
// them. Messages per second.
Result<double> RawConsume(const std::string& bootstrap, const std::string& topic,
                          std::uint64_t count);

// Produce to consume, per message: `messages` (whose ids are `ids`) published to `topic`, an
// empty topic, at `rate` a second by the producer the bench publishes to the engine with, and
// consumed by a librdkafka consumer set up as the engine's (fetch.wait.max.ms 10) that does
// nothing else. What Kafka alone adds to a subscriber's latency. The first tenth (at most 500)
// warms the path up and is not timed.
Result<Latencies> RawDeliveryLatency(const std::string& bootstrap, const std::string& topic,
                                     const std::vector<std::string>& messages,
                                     const std::vector<std::string>& ids, double rate);

// Reads every key and value of `family` in order. Keys per second, and the count.
double RawScan(const services::EventStore& store, services::Family family,
               std::uint64_t* count = nullptr);

// Point reads of `keys` in `family`, one at a time.
Latencies RawGets(const services::EventStore& store, services::Family family,
                  const std::vector<std::string>& keys);

}  // namespace throughline::bench

#endif  // THROUGHLINE_TOOLS_BENCH_RAW_LIMITS_H_
