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
  PublishFlags publish;
};

int Produce(const ProduceFlags& flags) {
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
  auto publisher = OpenPublisher(flags.publish);
  if (!publisher.ok()) {
    fmt::print(stderr, "throughline produce: {}\n", publisher.status().message());
    return publisher.status().IsInvalidArgument() ? 2 : 1;
  }

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
  if (flushed.ok() && flags.publish.wait)
    flushed = WaitForEngine(**publisher);
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  fmt::print(stderr, "{} published to {} in {:.1f} s ({:.0f}/s){}\n",
             (*publisher)->published() - (*publisher)->failed(), flags.publish.topic, seconds,
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
  AddPublishFlags(cmd, &flags->publish);
  cmd->callback([flags] { throw CLI::RuntimeError(Produce(*flags)); });
}

}  // namespace throughline::tools
