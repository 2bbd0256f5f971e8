// `throughline kafka`: the embedded Kafka cluster on its own, outliving engine restarts.

#include <fstream>

#include <spdlog/spdlog.h>

#include "services/embedded_kafka.h"
#include "tools/commands.h"
#include "tools/process.h"

namespace throughline::tools {

namespace {

struct KafkaClusterFlags {
  std::vector<std::string> topics = {"justice.events", "justice.events.dlq", "hmpps.domain-events"};
  int partitions = 6;
  int brokers = 1;
  std::string bootstrap_file;
};

int RunCluster(const KafkaClusterFlags& flags) {
  SetUpLogging();
  BlockStopSignals();
  auto kafka = services::EmbeddedKafka::Start(flags.brokers);
  if (!kafka.ok()) {
    spdlog::error("kafka.failed error=\"{}\"", kafka.status().ToString());
    return 1;
  }
  for (const auto& topic : flags.topics) {
    if (Status s = (*kafka)->CreateTopic(topic, flags.partitions); !s.ok()) {
      spdlog::error("kafka.failed error=\"{}\"", s.ToString());
      return 1;
    }
  }
  if (!flags.bootstrap_file.empty()) {
    std::ofstream out(flags.bootstrap_file, std::ios::trunc);
    out << (*kafka)->bootstrap() << '\n';
    if (!out) {
      spdlog::error("kafka.failed error=\"cannot write {}\"", flags.bootstrap_file);
      return 1;
    }
  }
  spdlog::info(
      "kafka.ready bootstrap={} topics={} partitions={} note=\"in memory, at most 5 "
      "MiB a partition\"",
      (*kafka)->bootstrap(), fmt::join(flags.topics, ","), flags.partitions);
  WaitForStopSignal();
  spdlog::info("kafka.stopped");
  return 0;
}

}  // namespace

void AddKafkaCommand(CLI::App& app) {
  auto flags = std::make_shared<KafkaClusterFlags>();
  auto* cmd = app.add_subcommand(
      "kafka", "Run the embedded Kafka cluster on its own (for development and tests)");
  cmd->add_option("--topic", flags->topics, "Topic to create, repeatable")->capture_default_str();
  cmd->add_option("--partitions", flags->partitions, "Partitions per topic")->capture_default_str();
  cmd->add_option("--brokers", flags->brokers, "Brokers in the cluster")->capture_default_str();
  cmd->add_option("--bootstrap-file", flags->bootstrap_file,
                  "Write the bootstrap address to this file once ready");
  cmd->callback([flags] { throw CLI::RuntimeError(RunCluster(*flags)); });
}

}  // namespace throughline::tools
