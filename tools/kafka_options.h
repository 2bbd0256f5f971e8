// The Kafka options shared by commands: --kafka, --kafka-config and --data's bootstrap file.

#ifndef THROUGHLINE_TOOLS_KAFKA_OPTIONS_H_
#define THROUGHLINE_TOOLS_KAFKA_OPTIONS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "events/status.h"
#include "services/event_publisher.h"
#include "services/kafka_client.h"

namespace throughline::tools {

struct KafkaFlags {
  std::string bootstrap;
  std::vector<std::string> settings;  // key=value
};

// Adds --kafka and --kafka-config to a command.
void AddKafkaFlags(CLI::App* cmd, KafkaFlags* flags, const std::string& bootstrap_help);

// The connection the flags describe; `data_dir` (if not empty) supplies the bootstrap from
// DIR/kafka.bootstrap when --kafka is not given.
Result<services::KafkaConnection> ResolveKafka(const KafkaFlags& flags,
                                               const std::string& data_dir);

// What a publishing command (produce, gen) takes: where to publish, and how far ahead of the
// engine it may run.
struct PublishFlags {
  std::string data;  // a running engine's data directory: its Kafka, when --kafka is not given
  KafkaFlags kafka;
  std::string topic = "justice.events";
  std::string group = "throughline";
  std::int64_t max_lag = 20000;
  int linger_ms = services::kBulkLingerMs;
  bool wait = false;
  bool given() const { return !data.empty() || !kafka.bootstrap.empty(); }
};

// Adds --data, --kafka, --kafka-config, --topic, --group, --max-lag, --linger-ms and --wait.
void AddPublishFlags(CLI::App* cmd, PublishFlags* flags);

// The publisher the flags describe; it says on stderr when it waits for the engine.
// InvalidArgument when the flags name no Kafka.
Result<std::unique_ptr<services::EventPublisher>> OpenPublisher(const PublishFlags& flags);

// For --wait: waits until the engine's consumer group has stored everything `publisher` sent,
// showing the lag on stderr. Busy when it has not after 10 minutes.
Status WaitForEngine(services::EventPublisher& publisher);

}  // namespace throughline::tools

#endif  // THROUGHLINE_TOOLS_KAFKA_OPTIONS_H_
