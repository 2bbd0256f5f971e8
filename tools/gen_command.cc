// `throughline gen`: realistic synthetic lifetimes (tools/generator/), as NDJSON to a file or
// published to Kafka.

#include <chrono>
#include <cstdio>
#include <memory>

#include <fmt/format.h>

#include "services/event_publisher.h"
#include "tools/commands.h"
#include "tools/generator/generator.h"
#include "tools/kafka_options.h"
#include "tools/progress.h"

namespace throughline::tools {

namespace {

struct GenFlags {
  generator::GeneratorOptions options;
  std::string out;
  PublishFlags publish;
};

int Gen(const GenFlags& flags) {
  if (Status s = generator::ValidateOptions(flags.options); !s.ok()) {
    fmt::print(stderr, "throughline gen: {}\n", s.message());
    return 2;
  }
  const bool to_kafka = flags.publish.given();
  if (to_kafka == !flags.out.empty()) {
    fmt::print(stderr,
               "throughline gen: say where the events go: --out FILE (- for standard output), or "
               "--kafka host:port, or --data DIR of a running engine\n");
    return 2;
  }

  std::unique_ptr<services::EventPublisher> publisher;
  std::FILE* file = nullptr;
  std::string where;
  if (to_kafka) {
    auto opened = OpenPublisher(flags.publish);
    if (!opened.ok()) {
      fmt::print(stderr, "throughline gen: {}\n", opened.status().message());
      return opened.status().IsInvalidArgument() ? 2 : 1;
    }
    publisher = std::move(*opened);
    where = "topic " + flags.publish.topic;
  } else if (flags.out == "-") {
    file = stdout;
    where = "standard output";
  } else {
    file = std::fopen(flags.out.c_str(), "wb");
    if (file == nullptr) {
      fmt::print(stderr, "throughline gen: cannot create {}: check the path\n", flags.out);
      return 2;
    }
    where = flags.out;
  }
  static char buffer[1 << 20];
  if (file != nullptr)
    std::setvbuf(file, buffer, _IOFBF, sizeof(buffer));

  generator::Generator gen(flags.options);
  Progress progress("events");
  std::uint64_t count = 0, failed = 0;
  std::string first_error;
  Status status = gen.Run([&](std::string_view json) {
    if (publisher) {
      if (Status s = publisher->Publish(json); !s.ok()) {
        if (failed++ == 0)
          first_error = s.message();
      }
    } else {
      std::fwrite(json.data(), 1, json.size(), file);
      std::fputc('\n', file);
    }
    if ((++count & 1023) == 0)
      progress.Update(gen.progress(), count);
  });
  bool ok = status.ok();
  if (publisher) {
    if (Status s = publisher->Flush(); !s.ok()) {
      ok = false;
      first_error = first_error.empty() ? s.message() : first_error;
    }
    if (ok && flags.publish.wait) {
      progress.Finish();
      if (Status s = WaitForEngine(*publisher); !s.ok()) {
        ok = false;
        first_error = s.message();
      }
    }
  } else {
    ok = std::fflush(file) == 0 && !std::ferror(file) && ok;
    if (file != stdout && std::fclose(file) != 0)
      ok = false;
    if (!ok && first_error.empty())
      first_error = "write failed: is the disk full?";
  }
  progress.Finish();
  const double seconds = progress.Seconds();
  const auto& stats = gen.stats();
  fmt::print(stderr,
             "{} events about {} persons to {} in {:.1f} s ({}/s); late {}, out of order {}, "
             "duplicates {}, retractions {}{}\n",
             Grouped(stats.messages), Grouped(stats.persons), where, seconds,
             Grouped(static_cast<std::uint64_t>(stats.messages / seconds)), Grouped(stats.late),
             Grouped(stats.out_of_order), Grouped(stats.duplicates), Grouped(stats.retractions),
             failed > 0 ? fmt::format("; {} not published: {}", failed, first_error)
             : ok       ? ""
                        : "; " + first_error);
  return ok && failed == 0 ? 0 : 1;
}

}  // namespace

void AddGenCommand(CLI::App& app) {
  auto flags = std::make_shared<GenFlags>();
  auto* cmd = app.add_subcommand(
      "gen",
      "Generate realistic synthetic lifetimes in Wales as catalogue events (docs/generator.md)");
  auto& o = flags->options;
  cmd->add_option("--persons", o.persons, "People simulated")->capture_default_str();
  cmd->add_option("--years", o.years, "Years simulated, ending at --end")->capture_default_str();
  cmd->add_option("--seed", o.seed, "Seed: the same options give the same bytes")
      ->capture_default_str();
  cmd->add_option("--end", o.end, "End of the period (exclusive), YYYY-MM-DD")
      ->capture_default_str();
  cmd->add_option("--out", flags->out, "NDJSON file to write, or - for standard output");
  AddPublishFlags(cmd, &flags->publish);
  cmd->add_option("--late", o.late, "Share of events published days to months late")
      ->capture_default_str();
  cmd->add_option("--out-of-order", o.out_of_order,
                  "Share published hours to days late, after later events")
      ->capture_default_str();
  cmd->add_option("--duplicates", o.duplicates, "Share delivered twice")->capture_default_str();
  cmd->add_option("--retractions", o.retractions, "Share retracted later by event.retracted")
      ->capture_default_str();
  cmd->callback([flags] { throw CLI::RuntimeError(Gen(*flags)); });
}

}  // namespace throughline::tools
