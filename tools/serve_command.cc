// `throughline serve --data DIR`: the engine.

#include <atomic>
#include <fstream>
#include <signal.h>
#include <unistd.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "services/audit_log.h"
#include "services/engine.h"
#include "services/http_server.h"
#include "services/store_stats.h"
#include "services/token_file.h"
#include "tools/commands.h"
#include "tools/kafka_options.h"
#include "tools/process.h"

namespace throughline::tools {

namespace {

// serve's exit status when the store failed in a way only reopening it clears (engine.h,
// on_store_failed): 1 and 2 are failures to start.
constexpr int kExitStoreFailed = 3;

struct ServeFlags {
  std::string data;
  KafkaFlags kafka;
  std::vector<std::string> topics = {"justice.events"};
  std::vector<std::string> hmpps_topics = {"hmpps.domain-events"};
  std::string dlq = "justice.events.dlq";
  std::string changes = "throughline.changes";
  std::string group = "throughline";
  bool assign_all = false;
  int partitions = 6;
  bool sync = true;
  std::size_t block_cache_mb = services::StoreOptions{}.block_cache_bytes >> 20;
  std::size_t write_buffer_mb = services::StoreOptions{}.write_buffer_bytes >> 20;
  std::size_t record_cache_mb = services::StoreOptions{}.record_cache_bytes >> 20;
  std::string log_level = "info";
  services::HttpServerOptions http;
  bool no_http = false;
  std::string tokens;  // default: DATA/tokens
};

// The API's /metrics: the engine's counters and the server's.
std::string Metrics(const services::Engine& engine, const services::HttpServer* server) {
  const services::IngestMetrics& m = engine.metrics();
  const services::ProjectionMetrics& p = engine.projection_metrics();
  std::string out;
  auto counter = [&](std::string_view name, std::string_view help, std::uint64_t v) {
    fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} counter\n{} {}\n", name, help,
                   name, name, v);
  };
  auto seconds_counter = [&](std::string_view name, std::string_view help, double seconds) {
    fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} counter\n{} {:.3f}\n", name,
                   help, name, name, seconds);
  };
  counter("throughline_events_appended_total", "Events appended to the log", m.appended.load());
  counter("throughline_duplicates_total", "Redeliveries skipped", m.duplicates.load());
  counter("throughline_dead_letters_total", "Messages rejected to the dead-letter topic",
          m.dead_letters.load());
  counter("throughline_identity_conflicts_total", "Events whose identifiers were another's",
          m.identity_conflicts.load());
  counter("throughline_offset_gaps_total", "Offset ranges lost before they were read",
          m.gaps.load());
  counter("throughline_write_errors_total", "Batches that failed to write (and were retried)",
          m.write_errors.load());
  counter("throughline_ingest_pauses_total",
          "Times the consumer paused its partitions for the writer to catch up", m.pauses.load());
  seconds_counter("throughline_writer_waiting_seconds_total",
                  "How long the writer waited for messages with nothing of its own to write",
                  static_cast<double>(m.writer_waiting_us.load()) / 1e6);
  counter("throughline_views_refolded_total", "Persons folded afresh", p.refolds.load());
  counter("throughline_views_applied_total", "Persons updated incrementally", p.incremental.load());
  counter("throughline_batches_shared_total", "Batches whose persons were folded on two threads",
          p.shared_batches.load());
  counter("throughline_alerts_raised_total", "Alerts raised", p.alerts_raised.load());
  fmt::format_to(std::back_inserter(out),
                 "# HELP throughline_rebuild_persons Views rebuilt of those to rebuild, while a "
                 "rebuild at start-up runs\n# TYPE throughline_rebuild_persons gauge\n"
                 "throughline_rebuild_persons{{of=\"done\"}} {}\n"
                 "throughline_rebuild_persons{{of=\"total\"}} {}\n"
                 "throughline_rebuilding {}\n",
                 engine.rebuild_done(), engine.rebuild_total(), engine.rebuilding() ? 1 : 0);
  fmt::format_to(std::back_inserter(out),
                 "# HELP throughline_log_size_events Records in the log\n"
                 "# TYPE throughline_log_size_events gauge\nthroughline_log_size_events {}\n",
                 engine.store()->state().next_sequence - 1);
  const auto memory = services::StoreMemoryUse(*engine.store());
  fmt::format_to(std::back_inserter(out),
                 "# HELP throughline_store_memory_bytes What the store holds in memory, each "
                 "bounded by its option (--write-buffer-mb, --block-cache-mb, --record-cache-mb)\n"
                 "# TYPE throughline_store_memory_bytes gauge\n"
                 "throughline_store_memory_bytes{{of=\"memtables\"}} {}\n"
                 "throughline_store_memory_bytes{{of=\"block_cache\"}} {}\n"
                 "throughline_store_memory_bytes{{of=\"record_cache\"}} {}\n",
                 memory.memtables, memory.block_cache, memory.record_cache);
  const services::RecordCache& records = engine.store()->record_cache();
  fmt::format_to(std::back_inserter(out),
                 "# HELP throughline_record_cache_reads_total Log records looked up in the record "
                 "cache (--record-cache-mb), by whether it held them\n"
                 "# TYPE throughline_record_cache_reads_total counter\n"
                 "throughline_record_cache_reads_total{{result=\"hit\"}} {}\n"
                 "throughline_record_cache_reads_total{{result=\"miss\"}} {}\n",
                 records.hits(), records.misses());
  seconds_counter("throughline_store_write_stall_seconds_total",
                  "How long RocksDB held the engine's writes back (slowed or stopped) while "
                  "flushes or compactions caught up, to the millisecond",
                  services::WriteStallSeconds(*engine.store()));
  m.kafka_delay.WritePrometheus("throughline_ingest_kafka_delay_seconds",
                                "From a message's Kafka timestamp to the consumer taking it (ms "
                                "resolution; includes the producer's clock offset)",
                                &out);
  m.batch_age.WritePrometheus("throughline_ingest_batch_age_seconds",
                              "From a batch's first message consumed to the batch committed", &out);
  m.batch_write.WritePrometheus("throughline_ingest_batch_write_seconds",
                                "The writer's time to append, project and commit a batch", &out);
  out +=
      "# HELP throughline_consumer_lag Messages not yet consumed, per partition\n"
      "# TYPE throughline_consumer_lag gauge\n";
  for (const auto& [tp, lag] : m.Lag()) {
    fmt::format_to(std::back_inserter(out),
                   "throughline_consumer_lag{{topic=\"{}\",partition=\"{}\"}} {}\n", tp.first,
                   tp.second, lag);
  }
  if (server != nullptr)
    server->WritePrometheus(&out);
  return out;
}

int Serve(const ServeFlags& flags) {
  SetUpLogging(flags.log_level);
  BlockStopSignals();
  services::EngineOptions options;
  options.data_dir = flags.data;
  options.store.sync = flags.sync;
  options.store.block_cache_bytes = flags.block_cache_mb << 20;
  options.store.write_buffer_bytes = flags.write_buffer_mb << 20;
  options.store.record_cache_bytes = flags.record_cache_mb << 20;
  options.topics = flags.topics;
  options.hmpps_topics.clear();
  for (const auto& topic : flags.hmpps_topics) {
    if (!topic.empty())
      options.hmpps_topics.push_back(topic);
  }
  options.dead_letter_topic = flags.dlq;
  options.change_topic = flags.changes;
  options.group = flags.group;
  options.ingest.assign_all = flags.assign_all;
  options.embedded_partitions = flags.partitions;
  auto connection = ResolveKafka(flags.kafka, "");
  if (!connection.ok()) {
    spdlog::error("serve.failed error=\"{}\"", connection.status().message());
    return 2;
  }
  options.kafka = *connection;
  static services::SystemClock clock;
  // The server starts after the engine (it reads the engine's store) but the engine reports to
  // it from its first batch: through this pointer, set once the server is up.
  std::atomic<services::HttpServer*> server{nullptr};
  options.on_committed = [&server](std::uint64_t last, std::vector<services::LogChange> changes) {
    if (auto* s = server.load())
      s->Committed(last, std::move(changes));
  };
  options.changes_wanted = [&server] {
    auto* s = server.load();
    return s != nullptr && s->WantsChanges();
  };
  options.on_alerts_raised = [&server](const std::vector<projections::Alert>& alerts) {
    if (auto* s = server.load())
      s->AlertsRaised(alerts);
  };
  // A store RocksDB cannot resume is reopened by starting again: the process stops as on
  // SIGTERM (the signal wakes WaitForStopSignal below) and exits with kExitStoreFailed for its
  // supervisor to restart it (compose: restart on-failure).
  static std::atomic<bool> store_failed{false};
  options.on_store_failed = [](const std::string&) {
    if (!store_failed.exchange(true))
      kill(getpid(), SIGTERM);
  };
  auto engine = services::Engine::Start(std::move(options), &clock);
  if (!engine.ok()) {
    spdlog::error("serve.failed error=\"{}\"", engine.status().ToString());
    return 1;
  }
  std::unique_ptr<services::HttpServer> http;
  std::unique_ptr<services::TokenFile> tokens;
  std::unique_ptr<services::AuditLog> audit;
  if (!flags.no_http) {
    const std::string tokens_path = flags.tokens.empty() ? flags.data + "/tokens" : flags.tokens;
    // A file named on the command line must be there; DATA/tokens may come later.
    auto opened = services::TokenFile::Open(tokens_path, /*required=*/!flags.tokens.empty());
    if (!opened.ok()) {
      spdlog::error("serve.failed error=\"{}\"", opened.status().message());
      (*engine)->Stop();
      return 2;
    }
    tokens = std::move(*opened);
    if (tokens->size() == 0) {
      spdlog::warn(
          "http.no_tokens file={} note=\"every /v1 request will be refused: create a token with "
          "throughline token --data {} --role ROLE --agency AGENCY (read within a second, no "
          "restart)\"",
          tokens_path, flags.data);
    }
    audit = std::make_unique<services::AuditLog>((*engine)->store());
    services::ReadModels models;
    models.store = (*engine)->store();
    models.tokens = tokens.get();
    models.audit = audit.get();
    models.clock = &clock;
    services::Engine* e = engine->get();
    models.readiness = [e] { return e->Ready(); };
    models.metrics = [e, &server] { return Metrics(*e, server.load()); };
    auto started = services::HttpServer::Start(flags.http, std::move(models));
    if (!started.ok()) {
      spdlog::error("serve.failed error=\"{}\"", started.status().message());
      (*engine)->Stop();
      return 2;
    }
    http = std::move(*started);
    server = http.get();
    spdlog::info("http.ready url={}://{}/ tokens={} note=\"the dashboard is at that address\"",
                 http->tls() ? "https" : "http", http->address(), tokens->size());
    std::ofstream(flags.data + "/http.address", std::ios::trunc) << http->address() << '\n';
  }
  spdlog::info(
      "serve.ready bootstrap={} data={} note=\"publish with: throughline produce "
      "--data {} FILE\"",
      (*engine)->bootstrap(), flags.data, flags.data);
  std::string signal = WaitForStopSignal();
  if (store_failed) {
    spdlog::error(
        "serve.exiting code={} note=\"the store failed and must be reopened: start the engine "
        "again (a supervisor restarting on failure does it){}\"",
        kExitStoreFailed,
        (*engine)->embedded_kafka() != nullptr
            ? "; the embedded Kafka goes with this process, and the messages it held that the log "
              "had not stored with it: where that matters, run Kafka apart (--kafka, or "
              "throughline kafka)"
            : "");
  } else {
    spdlog::info("serve.signal signal={}", signal);
  }
  if (http) {
    server = nullptr;
    http->Stop();
  }
  (*engine)->Stop();
  return store_failed ? kExitStoreFailed : 0;
}

}  // namespace

void AddServeCommand(CLI::App& app) {
  auto flags = std::make_shared<ServeFlags>();
  auto* cmd = app.add_subcommand("serve", "Run the engine: consume Kafka into the durable log");
  cmd->footer(
      "Exit status: 0 stopped by SIGINT or SIGTERM; 1 the engine could not start (the store or "
      "Kafka); 2 a bad --kafka, tokens file or listen address; 3 the store failed while running "
      "in a way only reopening it clears: start it again, nothing is lost (docs/reliability.md)");
  cmd->add_option("--data", flags->data, "Data directory (created if missing)")->required();
  AddKafkaFlags(cmd, &flags->kafka,
                "Kafka bootstrap servers host:port,...; without it an embedded Kafka starts");
  cmd->add_option("--topic", flags->topics, "Input topic of native envelopes, repeatable")
      ->capture_default_str();
  cmd->add_option("--hmpps-topic", flags->hmpps_topics,
                  "Input topic of HMPPS domain events (docs/hmpps.md), repeatable (\"\": none)")
      ->capture_default_str();
  cmd->add_option("--dlq-topic", flags->dlq, "Dead-letter topic")->capture_default_str();
  cmd->add_option("--changes-topic", flags->changes,
                  "Where view changes are published for downstream systems (\"\": none)")
      ->capture_default_str();
  cmd->add_option("--group", flags->group, "Consumer group")->capture_default_str();
  cmd->add_flag("--assign-all", flags->assign_all,
                "Read every partition without the group's rebalancing: a single engine (or a "
                "whole replica) starts reading at once");
  cmd->add_option("--partitions", flags->partitions,
                  "Partitions of each topic of the embedded Kafka")
      ->capture_default_str();
  cmd->add_option("--sync", flags->sync, "Fsync every batch before it counts as written")
      ->capture_default_str();
  cmd->add_option("--block-cache-mb", flags->block_cache_mb,
                  "RocksDB's block cache, shared by every read (MiB)")
      ->capture_default_str()
      ->check(CLI::Range(8, 1 << 20));
  cmd->add_option("--write-buffer-mb", flags->write_buffer_mb,
                  "RocksDB's memtables across all column families (MiB): larger writes faster, "
                  "and holds more to replay after a crash")
      ->capture_default_str()
      ->check(CLI::Range(16, 1 << 20));
  cmd->add_option("--record-cache-mb", flags->record_cache_mb,
                  "Log records held for the refolds of persons with a late event (MiB); 0: none")
      ->capture_default_str()
      ->check(CLI::Range(0, 1 << 20));
  cmd->add_option("--subscription-window", flags->http.subscription_window,
                  "Newest records held in memory for WebSocket subscribers (docs/api.md)")
      ->capture_default_str()
      ->check(CLI::Range(512, 1 << 24));
  cmd->add_option("--log-level", flags->log_level, "trace, debug, info, warn, error")
      ->capture_default_str();
  cmd->add_option("--listen", flags->http.listen, "The API and dashboard: host:port (port 0: any)")
      ->capture_default_str();
  cmd->add_flag("--no-http", flags->no_http, "Serve no API (ingest only)");
  cmd->add_option("--tokens", flags->tokens,
                  "Tokens file (throughline token), read again within a second of a change; "
                  "default DATA/tokens");
  cmd->add_option("--tls-cert", flags->http.tls_certificate,
                  "PEM certificate chain: serve HTTPS and WSS only");
  cmd->add_option("--tls-key", flags->http.tls_private_key, "PEM private key of --tls-cert");
  cmd->add_option("--http-threads", flags->http.threads, "Threads serving the API")
      ->capture_default_str();
  cmd->add_flag("--realtime-requests", flags->http.realtime_threads,
                "Serve requests and subscribers on real-time threads (SCHED_RR 1; needs "
                "CAP_SYS_NICE): a person's page is not held up by kernel threads "
                "(docs/decisions.md)");
  cmd->callback([flags] { throw CLI::RuntimeError(Serve(*flags)); });
}

}  // namespace throughline::tools
