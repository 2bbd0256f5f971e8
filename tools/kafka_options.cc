#include "tools/kafka_options.h"

#include <fstream>

#include <fmt/format.h>

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

void AddPublishFlags(CLI::App* cmd, PublishFlags* flags) {
  cmd->add_option("--data", flags->data, "Data directory of a running engine: use its Kafka");
  AddKafkaFlags(cmd, &flags->kafka, "Kafka bootstrap servers host:port,...");
  cmd->add_option("--topic", flags->topic, "Topic")->capture_default_str();
  cmd->add_option("--group", flags->group, "Consumer group whose lag limits the rate")
      ->capture_default_str();
  cmd->add_option("--max-lag", flags->max_lag,
                  "Wait while the group is more than this many messages behind (0: never wait)")
      ->capture_default_str();
  cmd->add_option("--linger-ms", flags->linger_ms,
                  "How long a message waits for others to its partition, to be sent with them "
                  "(fewer, larger batches cost Kafka less; 5 for a live trickle)")
      ->capture_default_str()
      ->check(CLI::Range(0, 900000));
  cmd->add_flag("--wait", flags->wait, "Return once the engine has stored every message");
}

Result<std::unique_ptr<services::EventPublisher>> OpenPublisher(const PublishFlags& flags) {
  auto connection = ResolveKafka(flags.kafka, flags.data);
  if (!connection.ok())
    return connection.status();
  if (connection->bootstrap.empty()) {
    return Status::InvalidArgument(
        "say where Kafka is: --kafka host:port, or --data DIR of a running engine");
  }
  services::PublishOptions options;
  options.connection = *connection;
  options.topic = flags.topic;
  options.group = flags.group;
  options.max_lag = flags.max_lag;
  options.linger_ms = flags.linger_ms;
  auto publisher = services::EventPublisher::Open(options);
  if (!publisher.ok())
    return publisher.status();
  (*publisher)
      ->set_on_wait(
          [group = flags.group, topic = flags.topic, max_lag = flags.max_lag](std::int64_t lag) {
            fmt::print(stderr,
                       "\nwaiting for the engine: group {} has been {} messages behind (limit {}) "
                       "for 10 s or more; is an engine consuming {}?\n",
                       group, lag < 0 ? std::string("an unknown number of") : std::to_string(lag),
                       max_lag, topic);
          });
  return publisher;
}

Status WaitForEngine(services::EventPublisher& publisher) {
  bool shown = false;
  Status s = publisher.WaitUntilConsumed(std::chrono::minutes(10), [&](std::int64_t lag) {
    fmt::print(stderr, "waiting for the engine to store the last {} messages\n", lag);
    shown = true;
  });
  if (s.ok() && shown)
    fmt::print(stderr, "the engine has stored every message\n");
  return s;
}

}  // namespace throughline::tools
