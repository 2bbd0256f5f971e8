#include "tools/kafka_options.h"

#include <fstream>

namespace throughline::tools {

void AddKafkaFlags(CLI::App* cmd, KafkaFlags* flags, const std::string& bootstrap_help) {
  cmd->add_option("--kafka", flags->bootstrap, bootstrap_help);
  cmd->add_option("--kafka-config", flags->settings,
                  "librdkafka setting key=value, repeatable (SASL, TLS: e.g. "
                  "security.protocol=SASL_SSL)");
}

Result<services::KafkaConnection> ResolveKafka(const KafkaFlags& flags,
                                               const std::string& data_dir) {
  services::KafkaConnection connection;
  connection.bootstrap = flags.bootstrap;
  if (connection.bootstrap.empty() && !data_dir.empty()) {
    std::ifstream in(data_dir + "/kafka.bootstrap");
    std::getline(in, connection.bootstrap);
    if (connection.bootstrap.empty()) {
      return Status::NotFound("no --kafka given and no " + data_dir +
                              "/kafka.bootstrap: is an engine running on that data directory?");
    }
  }
  for (const auto& text : flags.settings) {
    auto setting = services::ParseKafkaSetting(text);
    if (!setting.ok())
      return setting.status();
    connection.settings.push_back(*setting);
  }
  return connection;
}

}  // namespace throughline::tools
