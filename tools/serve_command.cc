// `throughline serve --data DIR`: the engine.

#include <spdlog/spdlog.h>

#include "services/engine.h"
#include "tools/commands.h"
#include "tools/kafka_options.h"
#include "tools/process.h"

namespace throughline::tools {

namespace {

struct ServeFlags {
  std::string data;
  KafkaFlags kafka;
  std::vector<std::string> topics = {"justice.events"};
  std::string dlq = "justice.events.dlq";
  std::string group = "throughline";
  int partitions = 6;
  bool sync = true;
  std::string log_level = "info";
};

int Serve(const ServeFlags& flags) {
  SetUpLogging(flags.log_level);
  BlockStopSignals();
  services::EngineOptions options;
  options.data_dir = flags.data;
  options.store.sync = flags.sync;
  options.topics = flags.topics;
  options.dead_letter_topic = flags.dlq;
  options.group = flags.group;
  options.embedded_partitions = flags.partitions;
  auto connection = ResolveKafka(flags.kafka, "");
  if (!connection.ok()) {
    spdlog::error("serve.failed error=\"{}\"", connection.status().message());
    return 2;
  }
  options.kafka = *connection;
  static services::SystemClock clock;
  auto engine = services::Engine::Start(std::move(options), &clock);
  if (!engine.ok()) {
    spdlog::error("serve.failed error=\"{}\"", engine.status().ToString());
    return 1;
  }
  spdlog::info(
      "serve.ready bootstrap={} data={} note=\"publish with: throughline produce "
      "--data {} FILE\"",
      (*engine)->bootstrap(), flags.data, flags.data);
  std::string signal = WaitForStopSignal();
  spdlog::info("serve.signal signal={}", signal);
  (*engine)->Stop();
  return 0;
}

}  // namespace

void AddServeCommand(CLI::App& app) {
  auto flags = std::make_shared<ServeFlags>();
  auto* cmd = app.add_subcommand("serve", "Run the engine: consume Kafka into the durable log");
  cmd->add_option("--data", flags->data, "Data directory (created if missing)")->required();
  AddKafkaFlags(cmd, &flags->kafka,
                "Kafka bootstrap servers host:port,...; without it an embedded Kafka starts");
  cmd->add_option("--topic", flags->topics, "Input topic, repeatable")->capture_default_str();
  cmd->add_option("--dlq-topic", flags->dlq, "Dead-letter topic")->capture_default_str();
  cmd->add_option("--group", flags->group, "Consumer group")->capture_default_str();
  cmd->add_option("--partitions", flags->partitions,
                  "Partitions of each topic of the embedded Kafka")
      ->capture_default_str();
  cmd->add_option("--sync", flags->sync, "Fsync every batch before it counts as written")
      ->capture_default_str();
  cmd->add_option("--log-level", flags->log_level, "trace, debug, info, warn, error")
      ->capture_default_str();
  cmd->callback([flags] { throw CLI::RuntimeError(Serve(*flags)); });
}

}  // namespace throughline::tools
