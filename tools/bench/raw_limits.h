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

// Appends `records` (encoded events) to a fresh store in `dir`, as the writer would with
// nothing else to do: batches of `batch` records of three keys each (the log, the person
// index, the idempotency index), synced per batch when `sync`. Records per second.
Result<double> RawAppend(const std::vector<std::string>& records, const std::string& dir,
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
