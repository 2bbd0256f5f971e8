#include "tools/bench/suite.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <simdjson.h>
#include <string_view>
#include <thread>

#include <fmt/format.h>

#include "projections/projection_codec.h"
#include "services/child_process.h"
#include "services/clock.h"
#include "services/embedded_kafka.h"
#include "services/engine.h"
#include "services/event_publisher.h"
#include "services/event_store.h"
#include "services/http_client.h"
#include "services/rebuilder.h"
#include "services/store_keys.h"
#include "tools/bench/cpu_time.h"
#include "tools/bench/http_load.h"
#include "tools/bench/kernel_damon.h"
#include "tools/bench/latency.h"
#include "tools/bench/raw_limits.h"
#include "tools/generator/generator.h"

namespace throughline::bench {

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

constexpr const char* kTopic = "bench.events";
constexpr const char* kRawLatencyTopic = "bench.raw-latency";
constexpr const char* kDeadLetters = "bench.dlq";
constexpr const char* kGroup = "bench";

// Generated messages: the first `count` of a region, and the id of each.
struct Messages {
  std::vector<std::string> json;
  std::vector<std::string> ids;
};

Result<Messages> Generate(std::uint32_t persons, int years, std::uint64_t seed,
                          std::uint64_t count) {
  generator::GeneratorOptions g;
  g.persons = persons;
  g.years = years;
  g.seed = seed;
  Messages m;
  simdjson::dom::parser parser;
  generator::Generator gen(g);
  Status s = gen.Run([&](std::string_view json) {
    if (m.json.size() >= count)
      return;
    std::string_view id;
    if (parser.parse(json.data(), json.size())["id"].get(id) != simdjson::SUCCESS)
      id = {};
    m.json.emplace_back(json);
    m.ids.emplace_back(id);
  });
  if (!s.ok())
    return s;
  return m;
}

// Where the value of the metric `name` begins in a /metrics body; null when it is not there.
const char* MetricText(const std::string& body, std::string_view name) {
  const std::string needle = "\n" + std::string(name) + " ";
  const auto at = body.find(needle);
  return at == std::string::npos ? nullptr : body.c_str() + at + needle.size();
}

std::uint64_t MetricValue(const std::string& body, std::string_view name) {
  const char* text = MetricText(body, name);
  return text != nullptr ? std::strtoull(text, nullptr, 10) : 0;
}

double MetricSeconds(const std::string& body, std::string_view name) {
  const char* text = MetricText(body, name);
  return text != nullptr ? std::strtod(text, nullptr) : 0;
}

// For a row's note: how long RocksDB held the engine's writes back between two readings of its
// /metrics, so that a tail can be read against it.
std::string WriteStallsBetween(const std::string& before, const std::string& after) {
  constexpr std::string_view kName = "throughline_store_write_stall_seconds_total";
  return fmt::format("; RocksDB held the engine's writes back {:.3f} s meanwhile",
                     MetricSeconds(after, kName) - MetricSeconds(before, kName));
}

// For the ingest row's note: whether the input, not the writer, was the bound for a while.
std::string WriterWaitingBetween(const std::string& before, const std::string& after) {
  constexpr std::string_view kWaiting = "throughline_writer_waiting_seconds_total";
  constexpr std::string_view kPauses = "throughline_ingest_pauses_total";
  return fmt::format(
      "; the writer waited for messages {:.2f} s, the consumer paused for it {} times",
      MetricSeconds(after, kWaiting) - MetricSeconds(before, kWaiting),
      MetricValue(after, kPauses) - MetricValue(before, kPauses));
}

// For the ingest row's note: the share of the refolds' record reads the record cache answered.
std::string RecordCacheHits(const std::string& metrics) {
  const double hits = static_cast<double>(
      MetricValue(metrics, R"(throughline_record_cache_reads_total{result="hit"})"));
  const double misses = static_cast<double>(
      MetricValue(metrics, R"(throughline_record_cache_reads_total{result="miss"})"));
  if (hits + misses == 0)
    return "";
  return fmt::format("; the record cache answered {:.0f}% of {:.0f} record reads",
                     100 * hits / (hits + misses), hits + misses);
}

// The q-quantile, in ms, of what the engine's histogram `name` (/metrics, in seconds) recorded
// between two readings of /metrics: the upper bound of the bucket it falls in. -1 when nothing
// was recorded.
double QuantileBetween(const std::string& before, const std::string& after, std::string_view name,
                       double q) {
  // Cumulative counts by bucket, in the order written (ascending bounds).
  auto buckets = [&](const std::string& body) {
    std::vector<std::pair<std::string, std::uint64_t>> out;
    const std::string prefix = std::string(name) + "_bucket{le=\"";
    for (std::size_t at = body.find(prefix); at != std::string::npos;
         at = body.find(prefix, at + 1)) {
      const std::size_t bound_end = body.find('"', at + prefix.size());
      const std::size_t value = body.find(' ', bound_end);
      if (bound_end == std::string::npos || value == std::string::npos)
        break;
      out.emplace_back(body.substr(at + prefix.size(), bound_end - at - prefix.size()),
                       std::strtoull(body.c_str() + value + 1, nullptr, 10));
    }
    return out;
  };
  const auto b = buckets(before), a = buckets(after);
  if (a.empty() || a.size() != b.size())
    return -1;
  const std::uint64_t total = a.back().second - b.back().second;
  if (total == 0)
    return -1;
  const double wanted = std::max(1.0, q * static_cast<double>(total));
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (static_cast<double>(a[i].second - b[i].second) >= wanted)
      return a[i].first == "+Inf" ? -1 : std::strtod(a[i].first.c_str(), nullptr) * 1e3;
  }
  return -1;
}

// What RocksDB's memtables and block cache and the record cache hold in the engine (/metrics),
// each bounded by its option: the part of its RSS that fills up to a configured size rather
// than with the log.
// Nothing when /metrics did not answer.
std::optional<std::uint64_t> StoreCacheBytes(const std::string& address) {
  const auto r = services::HttpGet(address, "/metrics");
  if (r.status != 200)
    return std::nullopt;
  return MetricValue(r.body, R"(throughline_store_memory_bytes{of="memtables"})") +
         MetricValue(r.body, R"(throughline_store_memory_bytes{of="block_cache"})") +
         MetricValue(r.body, R"(throughline_store_memory_bytes{of="record_cache"})");
}

// Messages the engine has dealt with: appended, skipped as duplicates, or dead letters.
std::uint64_t Processed(const std::string& address) {
  const auto r = services::HttpGet(address, "/metrics");
  if (r.status != 200)
    return 0;
  return MetricValue(r.body, "throughline_events_appended_total") +
         MetricValue(r.body, "throughline_duplicates_total") +
         MetricValue(r.body, "throughline_dead_letters_total");
}

std::string ReadFirstLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

Result<std::string> MakeToken(const std::string& binary, const std::string& data,
                              const std::string& role) {
  const std::string command = fmt::format(
      "'{}' token --data '{}' --role {} --agency bench:{} 2>/dev/null", binary, data, role, role);
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr)
    return Status::IOError("cannot run " + command);
  char buffer[256] = {};
  std::string token = fgets(buffer, sizeof(buffer), pipe) ? buffer : "";
  pclose(pipe);
  while (!token.empty() && (token.back() == '\n' || token.back() == ' '))
    token.pop_back();
  if (token.find('.') == std::string::npos)
    return Status::IOError("no token from: " + command);
  return token;
}

// The engine as its own process, consuming the bench's Kafka.
class EngineProcess {
 public:
  Status Start(const SuiteOptions& o, const std::string& data, const std::string& bootstrap) {
    std::filesystem::remove(data + "/http.address");
    const std::vector<std::string> args = {o.binary,
                                           "serve",
                                           "--data",
                                           data,
                                           "--kafka",
                                           bootstrap,
                                           "--topic",
                                           kTopic,
                                           "--dlq-topic",
                                           kDeadLetters,
                                           "--changes-topic",
                                           "",
                                           "--group",
                                           kGroup,
                                           "--assign-all",
                                           "--listen",
                                           "127.0.0.1:0",
                                           "--log-level",
                                           "info",
                                           "--realtime-requests"};
    process_ = std::make_unique<services::ChildProcess>(args, o.work_dir + "/engine.log");
    const auto start = Clock::now();
    while ((address_ = ReadFirstLine(data + "/http.address")).empty()) {
      if (!process_->Running() || Since(start) > 120) {
        return Status::IOError(
            fmt::format("the engine did not start: see {}/engine.log", o.work_dir));
      }
      std::this_thread::sleep_for(20ms);
    }
    return Status::OK();
  }
  // Starts the engine and waits until /readyz answers 200: the seconds that took (restart).
  Result<double> StartUntilReady(const SuiteOptions& o, const std::string& data,
                                 const std::string& bootstrap) {
    const auto since = Clock::now();
    if (Status s = Start(o, data, bootstrap); !s.ok())
      return s;
    while (services::HttpGet(address_, "/readyz").status != 200) {
      if (Since(since) > 300)
        return Status::IOError("the engine was not ready after 300 s");
      std::this_thread::sleep_for(10ms);
    }
    return Since(since);
  }
  Status Stop() {
    process_->Signal(SIGTERM);
    const int status = process_->Wait();
    return status == 0 ? Status::OK()
                       : Status::IOError(fmt::format("the engine exited with {}", status));
  }
  const std::string& address() const { return address_; }
  services::ChildProcess& process() { return *process_; }

 private:
  std::unique_ptr<services::ChildProcess> process_;
  std::string address_;
};

// Polls the engine every 20 ms until it has processed `n` messages since it started, calling
// `polled` with each count; IOError when the count stands still for two minutes.
Status WaitProcessed(EngineProcess& engine, std::uint64_t n, std::string_view what,
                     const std::string& work_dir,
                     const std::function<void(std::uint64_t processed)>& polled) {
  std::uint64_t processed = 0, last = 0;
  auto last_progress = Clock::now();
  while (processed < n) {
    std::this_thread::sleep_for(20ms);
    processed = Processed(engine.address());
    polled(processed);
    if (processed != last) {
      last = processed;
      last_progress = Clock::now();
    } else if (Since(last_progress) > 120) {
      return Status::IOError(fmt::format("{} stalled at {} of {} messages: see {}/engine.log", what,
                                         processed, n, work_dir));
    }
  }
  return Status::OK();
}

// What the log's growth phase measured: an engine started on the store the other workloads
// left, taking `growth_events` more, then started again.
struct Growth {
  std::uint64_t appended = 0;  // records added to the log
  std::uint64_t peak_rss = 0;  // of that engine, from its start to the last event stored
  double seconds = 0;          // from the first event published to the last stored
  double cpu_seconds = 0;      // the engine's, over `seconds`
  double restart = 0;          // seconds to ready, the log grown
  std::string metrics;         // that engine's, once the last event was stored
};

// Publishes `o.growth_events` events of people the log does not hold yet (generator seeds 3, 4,
// ...) as `gen` does: batched, and waiting whenever the engine is more than 50,000 messages
// behind, so that the embedded cluster's 5 MiB a partition never drops one unread. The
// generator runs in this process beside the engine, as `gen` would on the same machine.
Result<Growth> GrowLog(const SuiteOptions& o, const std::string& data, const std::string& bootstrap,
                       EngineProcess* engine, const std::function<void(const std::string&)>& say) {
  Growth growth;
  if (Status s = engine->Start(o, data, bootstrap); !s.ok())
    return s;
  services::PublishOptions publish;
  publish.connection.bootstrap = bootstrap;
  publish.topic = kTopic;
  publish.group = kGroup;
  publish.max_lag = 50'000;
  publish.lag_check_every = 10'000;
  publish.linger_ms = services::kBulkLingerMs;
  auto publisher = services::EventPublisher::Open(publish);
  if (!publisher.ok())
    return publisher.status();
  if (Status s = (*publisher)->WaitForTopic(); !s.ok())
    return s;
  const auto start = Clock::now();
  const double cpu_at_start = ProcessCpuSeconds(engine->process().pid());
  std::uint64_t published = 0;
  Status failed;
  for (std::uint64_t seed = 3; published < o.growth_events && failed.ok(); ++seed) {
    generator::GeneratorOptions g;
    g.persons = o.persons;
    g.years = o.years;
    g.seed = seed;
    generator::Generator gen(g);
    const std::uint64_t before = published;
    Status s = gen.Run([&](std::string_view json) {
      if (published >= o.growth_events || !failed.ok())
        return;
      failed = (*publisher)->Publish(json);
      if (++published % 1'000'000 == 0) {
        say(fmt::format("  {} published, {:.0f}/s, waiting while the engine lags 50,000", published,
                        static_cast<double>(published) / Since(start)));
      }
    });
    if (failed.ok())
      failed = s;
    if (failed.ok() && published == before)
      failed = Status::InvalidArgument("the log's growth: the generator gave no events");
  }
  if (failed.ok())
    failed = (*publisher)->Flush();
  if (!failed.ok())
    return failed;
  if (Status s =
          WaitProcessed(*engine, published, "the log's growth", o.work_dir, [](std::uint64_t) {});
      !s.ok()) {
    return s;
  }
  growth.metrics = services::HttpGet(engine->address(), "/metrics").body;
  growth.appended = MetricValue(growth.metrics, "throughline_events_appended_total");
  growth.peak_rss = engine->process().PeakResidentBytes();
  growth.seconds = Since(start);
  growth.cpu_seconds = ProcessCpuSeconds(engine->process().pid()) - cpu_at_start;
  say(fmt::format("  {} stored in {:.1f} s; restart: stop the engine, start it again, until ready",
                  published, growth.seconds));
  if (Status s = engine->Stop(); !s.ok())
    return s;
  auto restart = engine->StartUntilReady(o, data, bootstrap);
  if (!restart.ok())
    return restart.status();
  growth.restart = *restart;
  if (Status s = engine->Stop(); !s.ok())
    return s;
  return growth;
}

BenchRow RateRow(std::string workload, double figure, double raw, std::string raw_what,
                 std::string target, bool pass) {
  BenchRow r;
  r.workload = std::move(workload);
  r.figure = figure;
  r.unit = "events/s";
  r.raw = raw;
  r.raw_what = std::move(raw_what);
  r.target = std::move(target);
  r.pass = pass;
  r.ratio = raw > 0 ? figure / raw : 0;
  return r;
}

// Two rows, p50 and p99, of a latency; the target is on p99 (none: 0).
void LatencyRows(const std::string& workload, const Latencies& ours, const Latencies* raw,
                 const std::string& raw_what, double target_p99_ms, std::vector<BenchRow>* rows) {
  for (double q : {0.5, 0.99}) {
    BenchRow r;
    r.workload = fmt::format("{} p{}", workload, q == 0.5 ? 50 : 99);
    r.figure = ours.Percentile(q);
    r.unit = "ms";
    r.raw = raw ? raw->Percentile(q) : 0;
    r.raw_what = q == 0.5 ? raw_what : "";
    r.ratio = r.raw > 0 && r.figure > 0 ? r.raw / r.figure : 0;
    if (q == 0.5) {
      r.target = "reported";
      r.pass = ours.size() > 0;
    } else if (target_p99_ms <= 0) {
      r.target = "reported";
      r.pass = ours.size() > 0;
    } else {
      r.target = fmt::format("≤ {} ms", target_p99_ms);
      r.pass = ours.size() > 0 && r.figure <= target_p99_ms;
    }
    r.note = q == 0.5 ? fmt::format("{} samples", ours.size()) : "";
    rows->push_back(r);
  }
}

// Person ids with a stored view, and the ones whose timeline is nearest 100 events.
struct Persons {
  std::vector<std::uint64_t> all;
  std::vector<std::uint64_t> about_100_events;
};

Persons PickPersons(const services::EventStore& store, std::size_t most) {
  Persons p;
  std::vector<std::pair<int, std::uint64_t>> by_distance;
  std::unique_ptr<rocksdb::Iterator> it(
      store.db()->NewIterator(rocksdb::ReadOptions(), store.family(services::Family::kViews)));
  for (it->SeekToFirst(); it->Valid() && p.all.size() < most; it->Next()) {
    auto person = services::DecodeU64Key(it->key().ToStringView());
    if (!person)
      continue;
    p.all.push_back(*person);
    auto state = projections::DecodeProjection(*person, it->value().ToStringView());
    if (state.ok())
      by_distance.emplace_back(std::abs(state->view.events - 100), *person);
  }
  std::sort(by_distance.begin(), by_distance.end());
  for (std::size_t i = 0; i < by_distance.size() && i < 20; ++i)
    p.about_100_events.push_back(by_distance[i].second);
  return p;
}

// GETs of random persons' views, `requests` of them.
HttpLoadResult PersonViews(const std::string& address, const std::string& token,
                           const std::vector<std::uint64_t>& persons, int connections,
                           std::uint64_t requests, double rate, std::uint64_t seed) {
  HttpLoad load;
  load.address = address;
  load.headers = {{"Authorization", "Bearer " + token}};
  load.connections = connections;
  load.rate = rate;
  load.realtime = true;
  std::mt19937_64 random(seed);
  for (std::uint64_t i = 0; i < requests; ++i)
    load.targets.push_back(fmt::format("/v1/persons/id:{}", persons[random() % persons.size()]));
  return RunHttpLoad(load);
}

// The share of a core the kernel's kdamond took during a phase (kernel_damon.h): its bursts
// are where a latency tail on this machine comes from.
class KdamondShare {
 public:
  KdamondShare() { Start(); }
  void Start() {
    start_ = Clock::now();
    cpu_ = KdamondCpuSeconds(kdamonds_);
  }
  void End() {
    seconds_ = std::chrono::duration<double>(Clock::now() - start_).count();
    cpu_ = KdamondCpuSeconds(kdamonds_) - cpu_;
  }
  // "; the kernel's kdamond took 9% of a core meanwhile", or "" when DAMON is off.
  std::string Note() const {
    if (kdamonds_.empty() || seconds_ <= 0)
      return "";
    return fmt::format("; the kernel's kdamond took {:.0f}% of a core meanwhile",
                       100 * cpu_ / seconds_);
  }

 private:
  std::vector<Kdamond> kdamonds_ = RunningKdamonds();
  Clock::time_point start_;
  double cpu_ = 0;
  double seconds_ = 0;
};

// Bytes a process (this one by default) has had read from disk so far (/proc/<pid>/io's
// read_bytes): what its reads did not find in the page cache. 0 where the kernel does not say.
std::uint64_t DiskBytesRead(const std::string& process = "self") {
  std::ifstream io("/proc/" + process + "/io");
  for (std::string key; io >> key;) {
    std::uint64_t value = 0;
    if (!(io >> value))
      break;
    if (key == "read_bytes:")
      return value;
  }
  return 0;
}

// Waits, at most `limit`, until RocksDB has no flush or compaction running or due: the seconds
// waited. The store the engine leaves after a million events at full speed owes compactions,
// and its next opening runs them; measured at once, the rebuild shared the two cores with them
// (a third of the samples went to RocksDB's compaction thread), and the raw scan in part.
double SettleCompactions(const services::EventStore& store, std::chrono::seconds limit) {
  const auto start = Clock::now();
  // Summed over every column family by RocksDB, a rebuild's generation included.
  auto busy = [&] {
    rocksdb::DB* db = store.db();
    for (const std::string& property :
         {rocksdb::DB::Properties::kNumRunningCompactions,
          rocksdb::DB::Properties::kNumRunningFlushes, rocksdb::DB::Properties::kCompactionPending,
          rocksdb::DB::Properties::kMemTableFlushPending}) {
      std::uint64_t n = 0;
      if (db->GetAggregatedIntProperty(property, &n) && n > 0)
        return true;
    }
    return false;
  };
  while (busy() && Clock::now() - start < limit)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

SuiteOptions QuickOptions(SuiteOptions o) {
  o.events = 20'000;
  o.persons = 2'000;
  o.partitions = 12;
  o.connections = 4;
  o.view_requests = 2'000;
  o.replay_requests = 50;
  o.subscription_rate = 1'000;
  o.subscription_seconds = 2;
  o.subscription_warm_up_seconds = 0.5;
  o.growth_events = 20'000;
  return o;
}

Result<BenchRun> RunSuite(const SuiteOptions& o,
                          const std::function<void(const std::string&)>& say) {
  BenchRun run;
  run.machine = DescribeMachine();
  run.when = events::FormatTimestamp(services::SystemClock().Now());
  run.options = fmt::format(
      "{} events of {} people over {} years from the generator, {} partitions; person views on "
      "{} connections; subscription at {}/s for {} s after {} s of warm-up; then {} events of "
      "other people, paced by the engine's lag",
      o.events, o.persons, o.years, o.partitions, o.connections, o.subscription_rate,
      o.subscription_seconds, o.subscription_warm_up_seconds, o.growth_events);
  std::error_code ec;
  std::filesystem::create_directories(o.work_dir, ec);
  const std::string data = o.work_dir + "/engine";

  say(fmt::format("generating {} events of {} people", o.events, o.persons));
  auto messages = Generate(o.persons, o.years, 1, o.events);
  if (!messages.ok())
    return messages.status();
  const auto live_count = static_cast<std::uint64_t>(
      o.subscription_rate * (o.subscription_warm_up_seconds + o.subscription_seconds));
  auto live = Generate(o.persons, o.years, 2, live_count);
  if (!live.ok())
    return live.status();
  const std::uint64_t n = messages->json.size();

  // Raw append of the same events, as the log stores them, in WriteBatches as large as the
  // engine's (its writer takes up to that many messages a batch, and during the ingest its
  // queue is full). Measured again once the engine's phases are over, and the mean taken: the
  // machine's speed moves from one quarter hour to the next, and the ingest lies between.
  const std::size_t raw_batch = services::EngineOptions{}.write_batch_messages;
  say(
      fmt::format("raw limit: RocksDB appending the same events as the log stores them, in synced "
                  "batches of {} (the engine's largest)",
                  raw_batch));
  const std::vector<RawRecord> records = RawRecordsOf(messages->json, kTopic, o.partitions);
  // Each time into a fresh store, removed afterwards.
  auto measure_raw_append = [&] {
    const std::string dir = o.work_dir + "/raw-append";
    std::filesystem::remove_all(dir, ec);
    auto measured = RawAppend(records, dir, raw_batch, true);
    std::filesystem::remove_all(dir, ec);
    return measured;
  };
  auto raw_append = measure_raw_append();
  if (!raw_append.ok())
    return raw_append.status();

  say(fmt::format("publishing them to an embedded Kafka ({} partitions)", o.partitions));
  auto kafka = services::EmbeddedKafka::Start();
  if (!kafka.ok())
    return kafka.status();
  if (Status s = (*kafka)->CreateTopic(kTopic, o.partitions); !s.ok())
    return s;
  if (Status s = (*kafka)->CreateTopic(kDeadLetters, 3); !s.ok())
    return s;
  // Published as `gen` publishes (in the batches of a bulk load), and the live phase later as
  // an upstream system would (a producer of its own, at librdkafka's 5 ms linger).
  services::PublishOptions publish;
  publish.connection.bootstrap = (*kafka)->bootstrap();
  publish.topic = kTopic;
  publish.max_lag = 0;
  services::PublishOptions bulk = publish;
  bulk.linger_ms = services::kBulkLingerMs;
  auto publisher = services::EventPublisher::Open(bulk);
  if (!publisher.ok())
    return publisher.status();
  for (const auto& json : messages->json) {
    if (Status s = (*publisher)->Publish(json); !s.ok())
      return s;
  }
  if (Status s = (*publisher)->Flush(); !s.ok())
    return s;

  say("raw limit: librdkafka consuming the same messages, doing nothing");
  auto raw_consume = RawConsume((*kafka)->bootstrap(), kTopic, n);
  if (!raw_consume.ok())
    return raw_consume.status();

  // Ingest, end to end: consumed, validated, appended, views updated, synced per batch.
  auto probation = MakeToken(o.binary, data, "probation");
  auto investigator = MakeToken(o.binary, data, "investigator");
  if (!probation.ok())
    return probation.status();
  if (!investigator.ok())
    return investigator.status();
  say("ingest: the engine consuming them into its log and views");
  EngineProcess engine;
  if (Status s = engine.Start(o, data, (*kafka)->bootstrap()); !s.ok())
    return s;
  std::optional<Clock::time_point> first;
  std::uint64_t at_first = 0, rss_half = 0, rss_end = 0;
  std::optional<std::uint64_t> caches_half, caches_end;
  double engine_cpu_first = 0;
  MachineCpu machine_cpu_first;
  std::string metrics_first;
  if (Status s = WaitProcessed(engine, n, "ingest", o.work_dir,
                               [&](std::uint64_t processed) {
                                 if (processed > 0 && !first) {
                                   first = Clock::now();
                                   at_first = processed;
                                   engine_cpu_first = ProcessCpuSeconds(engine.process().pid());
                                   machine_cpu_first = MachineCpuSeconds();
                                   metrics_first =
                                       services::HttpGet(engine.address(), "/metrics").body;
                                 }
                                 if (processed >= n / 2 && rss_half == 0) {
                                   rss_half = engine.process().ResidentBytes();
                                   caches_half = StoreCacheBytes(engine.address());
                                 }
                               });
      !s.ok()) {
    return s;
  }
  const double ingest_seconds = Since(*first);
  const double ingest = static_cast<double>(n - at_first) / std::max(ingest_seconds, 1e-3);
  // What the ingest cost the machine: whether it was bound by the CPU, and at how much an event.
  const double engine_cpu = ProcessCpuSeconds(engine.process().pid()) - engine_cpu_first;
  std::string ingest_cpu =
      fmt::format("; the engine {:.1f} µs of CPU an event ({:.2f} cores)",
                  1e6 * engine_cpu / static_cast<double>(std::max<std::uint64_t>(n - at_first, 1)),
                  engine_cpu / std::max(ingest_seconds, 1e-3));
  if (const std::string machine =
          DescribeMachineCpu(machine_cpu_first, MachineCpuSeconds(),
                             static_cast<int>(std::thread::hardware_concurrency()));
      !machine.empty()) {
    ingest_cpu += ", " + machine;
  }
  rss_end = engine.process().ResidentBytes();
  caches_end = StoreCacheBytes(engine.address());
  const std::uint64_t rss_peak = engine.process().PeakResidentBytes();
  const std::string ingest_metrics = services::HttpGet(engine.address(), "/metrics").body;

  // Reads, beside the running engine.
  services::StoreOptions reader_options;
  reader_options.block_cache_bytes = 256 << 20;
  auto reader = services::EventStore::Open(data, reader_options, services::OpenMode::kSecondary);
  if (!reader.ok())
    return reader.status();
  const Persons persons = PickPersons(**reader, 20000);
  if (persons.all.empty())
    return Status::IOError("no views after ingest: see " + o.work_dir + "/engine.log");
  say(fmt::format("person views over HTTP: {} requests on {} connections", o.view_requests,
                  o.connections));
  // As fast as the connections go (closed loop): the throughput; then paced at half of it,
  // where the latency target applies. Closed loop, 32 requests are always in flight, and on
  // 2 cores that the clients share no answer comes faster than 32 / throughput on average.
  const HttpLoadResult views =
      PersonViews(engine.address(), *probation, persons.all, o.connections, o.view_requests, 0, 1);
  const double view_throughput =
      static_cast<double>(o.view_requests) / std::max(views.seconds, 1e-3);
  const double paced_rate = view_throughput / 2;
  say(fmt::format("person views paced at {:.0f}/s, half the {:.0f}/s just measured", paced_rate,
                  view_throughput));
  const std::string paced_metrics_before = services::HttpGet(engine.address(), "/metrics").body;
  KdamondShare paced_kdamond;
  const std::string engine_pid = std::to_string(engine.process().pid());
  const std::uint64_t paced_read_before = DiskBytesRead(engine_pid);
  const HttpLoadResult paced = PersonViews(engine.address(), *probation, persons.all, o.connections,
                                           o.view_requests / 2, paced_rate, 2);
  const std::uint64_t paced_read = DiskBytesRead(engine_pid) - paced_read_before;
  paced_kdamond.End();
  const std::string paced_metrics_after = services::HttpGet(engine.address(), "/metrics").body;
  std::vector<std::string> view_keys;
  std::mt19937_64 random(7);
  for (std::uint64_t i = 0; i < std::min<std::uint64_t>(o.view_requests, 50000); ++i)
    view_keys.push_back(services::U64Key(persons.all[random() % persons.all.size()]));
  const Latencies raw_views = RawGets(**reader, services::Family::kViews, view_keys);

  say(fmt::format("bitemporal replays of people with about 100 events: {}", o.replay_requests));
  Latencies replays, raw_replays;
  std::uint64_t replay_errors = 0;
  {
    services::HttpConnection connection;
    if (!connection.Connect(engine.address()))
      return Status::IOError("cannot connect to " + engine.address());
    const services::Headers headers = {{"Authorization", "Bearer " + *investigator},
                                       {"X-Reason", "benchmark"}};
    // Each person as known half way through their own history: the log's middle (n / 2) came
    // before the first event of some of them in a small run, and the engine rightly answered
    // 404 for a person not yet known.
    std::vector<std::uint64_t> known_at;
    for (const std::uint64_t person : persons.about_100_events) {
      std::vector<std::uint64_t> sequences;
      (*reader)->ForEachPersonEvent(person, [&](events::Timestamp, std::uint64_t sequence) {
        sequences.push_back(sequence);
        return true;
      });
      std::sort(sequences.begin(), sequences.end());
      known_at.push_back(sequences.empty() ? n : sequences[sequences.size() / 2]);
    }
    for (std::uint64_t i = 0; i < o.replay_requests; ++i) {
      const std::size_t pick = i % persons.about_100_events.size();
      const std::uint64_t person = persons.about_100_events[pick];
      const auto start = Clock::now();
      const auto r =
          connection.Get(fmt::format("/v1/persons/id:{}/timeline?as_of=2025-06-30&as_known_at={}",
                                     person, known_at[pick]),
                         headers);
      replays.Add(Clock::now() - start);
      if (r.status != 200)
        ++replay_errors;
      // The raw limit: the reads a replay needs (the person's index and each record).
      const auto raw_start = Clock::now();
      std::uint64_t read = 0;
      (*reader)->ForEachPersonEvent(person, [&](events::Timestamp, std::uint64_t sequence) {
        read += (*reader)->ReadRecord(sequence).ok();
        return true;
      });
      raw_replays.Add(Clock::now() - raw_start);
    }
  }

  say(fmt::format("raw limit: produce to consume on the same cluster at {}/s, nothing else",
                  o.subscription_rate));
  if (Status s = (*kafka)->CreateTopic(kRawLatencyTopic, o.partitions); !s.ok())
    return s;
  auto raw_deliveries = RawDeliveryLatency((*kafka)->bootstrap(), kRawLatencyTopic, live->json,
                                           live->ids, o.subscription_rate);
  if (!raw_deliveries.ok())
    return raw_deliveries.status();

  say(fmt::format("subscription latency: produce to WebSocket delivery at {}/s",
                  o.subscription_rate));
  // The engine has been idle since ingest (a minute or more at 1,000,000 events): its first
  // seconds of live events are slower while the blocks they need come back into memory. The
  // target is for a steady rate, as the raw limit is measured warm; the warm-up has rows of
  // its own.
  auto live_publisher = services::EventPublisher::Open(publish);
  if (!live_publisher.ok())
    return live_publisher.status();
  if (Status s = (*live_publisher)->WaitForTopic(); !s.ok())
    return s;
  Latencies deliveries, warm_up_deliveries;
  const auto warm_up_count =
      static_cast<std::size_t>(o.subscription_rate * o.subscription_warm_up_seconds);
  KdamondShare subscription_kdamond;
  std::uint64_t delivered = 0;
  std::string metrics_before, metrics_after;  // the engine's, around the phase
  // A redelivered message (the generator's duplicates) changes nothing, so is not delivered:
  // each id is expected once.
  const std::uint64_t expected = std::set<std::string>(live->ids.begin(), live->ids.end()).size();
  {
    std::mutex mu;
    // When each was sent, and whether it is of the warm-up (the first seconds after idle).
    std::map<std::string, std::pair<Clock::time_point, bool>> sent;
    services::WebSocketClient ws;
    if (ws.Connect(engine.address(), "/v1/subscribe",
                   {{"Authorization", "Bearer " + *probation}}) != 101) {
      return Status::IOError("the subscription was refused");
    }
    std::atomic<bool> done{false};
    std::thread receiver([&] {
      simdjson::dom::parser parser;
      while (!done || delivered < expected) {
        auto message = ws.Read(done ? 5s : 1s);
        if (!message) {
          if (done || ws.closed())
            break;
          continue;
        }
        const auto now = Clock::now();
        std::string_view type, id;
        simdjson::dom::element root;
        if (parser.parse(*message).get(root) || root["type"].get(type) || type != "change" ||
            root["event"]["id"].get(id)) {
          continue;
        }
        std::lock_guard lock(mu);
        auto it = sent.find(std::string(id));
        if (it != sent.end()) {
          (it->second.second ? warm_up_deliveries : deliveries).Add(now - it->second.first);
          sent.erase(it);
          ++delivered;
        }
      }
    });
    metrics_before = services::HttpGet(engine.address(), "/metrics").body;
    subscription_kdamond.Start();
    const auto start = Clock::now();
    for (std::size_t i = 0; i < live->json.size(); ++i) {
      std::this_thread::sleep_until(
          start + std::chrono::duration_cast<Clock::duration>(
                      std::chrono::duration<double>(static_cast<double>(i) / o.subscription_rate)));
      {
        std::lock_guard lock(mu);
        sent.emplace(live->ids[i], std::make_pair(Clock::now(), i < warm_up_count));
      }
      if (Status s = (*live_publisher)->Publish(live->json[i]); !s.ok())
        return s;
    }
    const Status flushed = (*live_publisher)->Flush();
    done = true;
    receiver.join();
    subscription_kdamond.End();
    metrics_after = services::HttpGet(engine.address(), "/metrics").body;
    ws.Close();
    if (!flushed.ok())
      return flushed;
  }

  say("restart: stop the engine, start it again, until ready");
  if (Status s = engine.Stop(); !s.ok())
    return s;
  reader->reset();
  auto restart = engine.StartUntilReady(o, data, (*kafka)->bootstrap());
  if (!restart.ok())
    return restart.status();
  if (Status s = engine.Stop(); !s.ok())
    return s;

  say("raw limit again: RocksDB appending the same events, as before the ingest");
  auto raw_append_after = measure_raw_append();
  if (!raw_append_after.ok())
    return raw_append_after.status();

  say("rebuild: every view from the log; raw limit: a scan of the log");
  double raw_scan = 0, rebuild = 0, settled = 0, raw_index_scan = 0;
  std::uint64_t log_records = 0, warm_up_read = 0, index_records = 0;
  services::RebuildProgress rebuilt;
  {
    auto store = services::EventStore::Open(data, services::StoreOptions{});
    if (!store.ok())
      return store.status();
    settled = SettleCompactions(**store, std::chrono::seconds(120));
    // Both measured with what they read in the page cache: the kernel's DAMON pages out files
    // not read for a minute, and the live phases take about that long. Measured as it comes,
    // the raw scan read part of the log from disk in some runs (1.0-1.1 million records/s with
    // the cache dropped, against 1.6 million) and the rebuild after it did not.
    const std::uint64_t read_before = DiskBytesRead();
    for (services::Family family :
         {services::Family::kLog, services::Family::kPersonEvents, services::Family::kPersons}) {
      RawScan(**store, family, nullptr);
    }
    warm_up_read = DiskBytesRead() - read_before;
    raw_scan = RawScan(**store, services::Family::kLog, &log_records);
    // Not a limit of the row: what the rebuild's first phase reads, for its note.
    raw_index_scan = RawScan(**store, services::Family::kPersonEvents, &index_records);
    services::RebuildOptions rebuild_options;
    if (Status s = services::RebuildProjections(store->get(), services::SystemClock(),
                                                rebuild_options, &rebuilt);
        !s.ok()) {
      return s;
    }
    rebuild = static_cast<double>(rebuilt.events_done) / std::max(rebuilt.seconds, 1e-3);
  }

  std::optional<Growth> growth;
  if (o.growth_events > 0) {
    say(
        fmt::format("the log's growth: {} events of other people, as gen publishes them; "
                    "memory and restart again",
                    o.growth_events));
    auto grown = GrowLog(o, data, (*kafka)->bootstrap(), &engine, say);
    if (!grown.ok())
      return grown.status();
    growth = *grown;
  }

  // The table.
  const double raw_append_mean = (raw_append->per_second + raw_append_after->per_second) / 2;
  const double raw_ingest = std::min(raw_append_mean, *raw_consume);
  run.rows.push_back(RateRow(
      "ingest, end to end", ingest, raw_ingest,
      fmt::format("min(librdkafka consume {:.0f}/s, RocksDB batched synced append {:.0f}/s)",
                  *raw_consume, raw_append_mean),
      "≥ 50% of raw, ≥ 50,000/s", ingest >= 0.5 * raw_ingest && ingest >= 50'000));
  run.rows.back().note =
      fmt::format("{} messages in {:.1f} s", n, ingest_seconds) + ingest_cpu +
      fmt::format(
          "; the raw append {:.0f}/s before the ingest and {:.0f}/s after the engine's phases "
          "(the mean is the limit), {:.1f} and {:.1f} µs of CPU a record",
          raw_append->per_second, raw_append_after->per_second, raw_append->cpu_us_per_record,
          raw_append_after->cpu_us_per_record) +
      WriteStallsBetween("", ingest_metrics) + RecordCacheHits(ingest_metrics) +
      WriterWaitingBetween(metrics_first, ingest_metrics);
  run.rows.push_back(RateRow("rebuild of every view", rebuild, raw_scan,
                             "RocksDB scan of the log's keys and values", "≥ 50% of raw",
                             rebuild >= 0.5 * raw_scan));
  run.rows.back().note = fmt::format(
      "{} records; both measured once RocksDB's compactions after the ingest were done "
      "({:.1f} s after the store opened), and after one read of the log, the person-events "
      "index and the persons to put them in the page cache ({:.0f} MiB of it from disk); the "
      "rebuild's {:.2f} s: the index {:.2f} s (a scan of it on one thread, {:.2f} s), the log "
      "{:.2f} s on {} threads (the raw scan, on one, {:.2f} s), the fold {:.2f} s",
      log_records, settled, static_cast<double>(warm_up_read) / (1 << 20), rebuilt.seconds,
      rebuilt.index_seconds, raw_index_scan > 0 ? index_records / raw_index_scan : 0.0,
      rebuilt.scan_seconds, services::RebuildOptions{}.threads,
      raw_scan > 0 ? log_records / raw_scan : 0.0, rebuilt.fold_seconds);
  LatencyRows("person view, HTTP, flat out", views.latencies, &raw_views,
              "RocksDB Get of the stored view", 0, &run.rows);
  run.rows.back().note =
      fmt::format("{:.0f} requests/s on {} connections", view_throughput, o.connections);
  if (views.errors > 0) {
    run.rows.back().pass = false;
    run.rows.back().note = fmt::format("{} errors", views.errors);
  }
  LatencyRows("person view, HTTP, paced", paced.latencies, &raw_views,
              "RocksDB Get of the stored view", 2.0, &run.rows);
  // The server's part (request read to response written) beside the client's whole: what is
  // left is the network, and waiting for a core.
  run.rows.back().note = fmt::format(
      "{:.0f}/s asked (half the flat-out rate), {:.0f}/s achieved; engine p99 (bucket bound) "
      "from request read to response written {} ms",
      paced_rate, static_cast<double>(paced.latencies.size()) / std::max(paced.seconds, 1e-3),
      QuantileBetween(paced_metrics_before, paced_metrics_after, "throughline_http_request_seconds",
                      0.99));
  run.rows.back().note += paced_kdamond.Note();
  run.rows.back().note += WriteStallsBetween(paced_metrics_before, paced_metrics_after);
  // A view's blocks that the kernel has let go of are read from disk again, on the request's
  // thread: no scheduling class helps with that wait.
  run.rows.back().note += fmt::format("; the engine read {:.1f} MiB from disk meanwhile",
                                      static_cast<double>(paced_read) / (1 << 20));
  run.rows.back().note += paced.realtime ? "; the load generator ran real-time"
                                         : "; the load generator ran at normal priority "
                                           "(real-time refused: see the log)";
  if (paced.errors > 0) {
    run.rows.back().pass = false;
    run.rows.back().note = fmt::format("{} errors", paced.errors);
  }
  LatencyRows("replay of ~100 events", replays, &raw_replays,
              "RocksDB reads of the person's index and records", 50.0, &run.rows);
  if (replay_errors > 0) {
    run.rows.back().pass = false;
    run.rows.back().note = fmt::format("{} errors", replay_errors);
  }
  LatencyRows("subscription delivery", deliveries, &*raw_deliveries,
              "librdkafka produce to consume, same cluster and rate", 50.0, &run.rows);
  run.rows.back().note = fmt::format("{} of {} delivered", delivered, expected);
  if (delivered < expected)
    run.rows.back().pass = false;
  // Where the time went inside the engine (bucket bounds): Kafka to consumed, consumed to
  // committed, of which the writer's append, then committed to sent.
  const auto span = [&](const char* histogram) {
    return fmt::format("{}/{}", QuantileBetween(metrics_before, metrics_after, histogram, 0.5),
                       QuantileBetween(metrics_before, metrics_after, histogram, 0.99));
  };
  run.rows[run.rows.size() - 2].note += fmt::format(
      "; engine p50/p99 (bucket bounds): Kafka timestamp to consumed {} ms; batch consumed to "
      "committed {} ms, of which the writer's {} ms; committed to sent {} ms",
      span("throughline_ingest_kafka_delay_seconds"), span("throughline_ingest_batch_age_seconds"),
      span("throughline_ingest_batch_write_seconds"),
      span("throughline_subscription_delivery_seconds"));
  run.rows[run.rows.size() - 2].note += subscription_kdamond.Note();
  run.rows[run.rows.size() - 2].note += WriteStallsBetween(metrics_before, metrics_after);
  LatencyRows(fmt::format("subscription, warm-up {} s", o.subscription_warm_up_seconds),
              warm_up_deliveries, nullptr, "", 0, &run.rows);
  BenchRow restart_row;
  restart_row.workload = "restart to ready";
  restart_row.figure = *restart;
  restart_row.unit = "s";
  restart_row.target = "< 2 s";
  restart_row.pass = *restart < 2.0;
  restart_row.note = fmt::format("{} records in the log", log_records);
  run.rows.push_back(restart_row);
  BenchRow memory;
  memory.workload = "memory: peak RSS during ingest";
  memory.figure = static_cast<double>(rss_peak) / (1 << 20);
  memory.unit = "MiB";
  // The issue's measure: RSS must not grow with the log beyond the configured caches. So what
  // the memtables, block cache and record cache hold is taken off both readings: they fill up to
  // their bounds over the ingest, later when the events are smaller, and that growth is not the
  // log's.
  memory.target = "flat beyond caches: end ≤ 1.25 × half way";
  // A reading of /metrics that failed leaves the row failing, not measured against RSS alone.
  const auto own = [](std::uint64_t rss, std::optional<std::uint64_t> caches) {
    return static_cast<double>(caches && rss > *caches ? rss - *caches : 0);
  };
  const double own_half = own(rss_half, caches_half), own_end = own(rss_end, caches_end);
  memory.pass = own_half > 0 && own_end > 0 && own_end <= 1.25 * own_half;
  const auto mib = [](std::optional<std::uint64_t> bytes) {
    return bytes ? fmt::format("{:.0f}", static_cast<double>(*bytes) / (1 << 20))
                 : std::string("unknown");
  };
  memory.note = fmt::format(
      "RSS {:.0f} MiB half way, {:.0f} MiB at the end; less RocksDB's memtables and block "
      "cache and the record cache ({} and {} MiB), {:.0f} and {:.0f} MiB: {:.2f} × half way",
      static_cast<double>(rss_half) / (1 << 20), static_cast<double>(rss_end) / (1 << 20),
      mib(caches_half), mib(caches_end), own_half / (1 << 20), own_end / (1 << 20),
      own_half > 0 ? own_end / own_half : 0.0);
  run.rows.push_back(memory);
  if (growth) {
    // Flat in log size: the same engine with the log grown, against the rows above.
    const std::uint64_t grown_records = log_records + growth->appended;
    BenchRow grown_restart = restart_row;
    grown_restart.workload = "restart to ready, the log grown";
    grown_restart.figure = growth->restart;
    grown_restart.pass = growth->restart < 2.0;
    grown_restart.note = fmt::format("{} records in the log, against {} for {:.3f} s above",
                                     grown_records, log_records, *restart);
    run.rows.push_back(grown_restart);
    BenchRow grown_memory = memory;
    grown_memory.workload = "memory: peak RSS, the log grown";
    grown_memory.figure = static_cast<double>(growth->peak_rss) / (1 << 20);
    grown_memory.target = "flat: ≤ 1.25 × the peak above";
    grown_memory.pass =
        static_cast<double>(growth->peak_rss) <= 1.25 * static_cast<double>(rss_peak);
    grown_memory.note = fmt::format(
        "an engine started on the store of {} records and taking it to {} ({:.0f} events/s from "
        "the first published to the last stored, the generator and the engine sharing the "
        "cores; the engine {:.1f} µs of CPU an event), from its start to its last event stored; "
        "{:.2f} × the peak above",
        log_records, grown_records,
        static_cast<double>(growth->appended) / std::max(growth->seconds, 1e-3),
        1e6 * growth->cpu_seconds /
            static_cast<double>(std::max<std::uint64_t>(growth->appended, 1)),
        static_cast<double>(growth->peak_rss) /
            static_cast<double>(std::max<std::uint64_t>(rss_peak, 1)));
    grown_memory.note += WriteStallsBetween("", growth->metrics);
    run.rows.push_back(grown_memory);
  }
  return run;
}

}  // namespace throughline::bench
