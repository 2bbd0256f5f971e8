// The Kafka options shared by commands: --kafka, --kafka-config and --data's bootstrap file.

#ifndef THROUGHLINE_TOOLS_KAFKA_OPTIONS_H_
#define THROUGHLINE_TOOLS_KAFKA_OPTIONS_H_

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "events/status.h"
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

}  // namespace throughline::tools

#endif  // THROUGHLINE_TOOLS_KAFKA_OPTIONS_H_
