// `throughline produce FILE|-`: publishes NDJSON envelopes to Kafka.

#include <chrono>
#include <fstream>
#include <iostream>

#include <fmt/format.h>

#include "events/ndjson_reader.h"
#include "services/event_publisher.h"
#include "tools/commands.h"
#include "tools/kafka_options.h"

namespace throughline::tools {

namespace {

struct ProduceFlags {
  std::string file = "-";
  std::string data;
  KafkaFlags kafka;
  std::string topic = "justice.events";
  std::string group = "throughline";
  std::int64_t max_lag = 20000;
};

int Produce(const ProduceFlags& flags) {
  auto connection = ResolveKafka(flags.kafka, flags.data);
  if (!connection.ok()) {
    fmt::print(stderr, "throughline produce: {}\n", connection.status().message());
    return 2;
  }
  if (connection->bootstrap.empty()) {
    fmt::print(stderr,
               "throughline produce: say where Kafka is: --kafka host:port, or --data DIR "
               "of a running engine\n");
    return 2;
  }
  std::ifstream file;
  std::istream* in = &std::cin;
  if (flags.file != "-") {
    file.open(flags.file, std::ios::binary);
    if (!file) {
      fmt::print(stderr, "throughline produce: cannot open {}: check the path\n", flags.file);
      return 2;
    }
    in = &file;
  }
  services::PublishOptions options;
  options.connection = *connection;
  options.topic = flags.topic;
  options.group = flags.group;
  options.max_lag = flags.max_lag;
  auto publisher = services::EventPublisher::Open(options);
  if (!publisher.ok()) {
    fmt::print(stderr, "throughline produce: {}\n", publisher.status().message());
    return 1;
  }
  (*publisher)->set_on_wait([&](std::int64_t lag) {
    fmt::print(stderr,
               "waiting for the engine: group {} is {} messages behind (limit {}); is an engine "
               "consuming {}?\n",
               flags.group, lag < 0 ? std::string("an unknown number of") : std::to_string(lag),
               flags.max_lag, flags.topic);
  });

  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  auto last_report = start;
  events::NdjsonReader reader(*in, std::size_t{16} << 20);
  std::string line;
  std::size_t number = 0, errors = 0;
  while (reader.Next(&line, &number)) {
    if (Status s = (*publisher)->Publish(line); !s.ok()) {
      ++errors;
      fmt::print(stderr, "line {}: not published: {}\n", number, s.message());
      continue;
    }
    if (Clock::now() - last_report > std::chrono::seconds(1)) {
      last_report = Clock::now();
      const double seconds = std::chrono::duration<double>(last_report - start).count();
      fmt::print(stderr, "published {} ({:.0f}/s)\n", (*publisher)->published(),
                 (*publisher)->published() / seconds);
    }
  }
  Status flushed = (*publisher)->Flush();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  fmt::print(stderr, "{} published to {} in {:.1f} s ({:.0f}/s){}\n",
             (*publisher)->published() - (*publisher)->failed(), flags.topic, seconds,
             seconds > 0 ? (*publisher)->published() / seconds : 0.0,
             flushed.ok() ? "" : "; " + flushed.message());
  return errors == 0 && flushed.ok() ? 0 : 1;
}

}  // namespace

void AddProduceCommand(CLI::App& app) {
  auto flags = std::make_shared<ProduceFlags>();
  auto* cmd = app.add_subcommand(
      "produce", "Publish NDJSON envelopes to Kafka, keyed by each person's strongest identifier");
  cmd->add_option("file", flags->file, "NDJSON file, or - for standard input")
      ->capture_default_str();
  cmd->add_option("--data", flags->data, "Data directory of a running engine: use its Kafka");
  AddKafkaFlags(cmd, &flags->kafka, "Kafka bootstrap servers host:port,...");
  cmd->add_option("--topic", flags->topic, "Topic")->capture_default_str();
  cmd->add_option("--group", flags->group, "Consumer group whose lag limits the rate")
      ->capture_default_str();
  cmd->add_option("--max-lag", flags->max_lag,
                  "Wait while the group is more than this many messages behind (0: never wait)")
      ->capture_default_str();
  cmd->callback([flags] { throw CLI::RuntimeError(Produce(*flags)); });
}

}  // namespace throughline::tools
