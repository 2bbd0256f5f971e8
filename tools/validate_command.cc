// `throughline validate [FILE|-]`: checks NDJSON envelopes against the catalogue.

#include <chrono>
#include <fstream>
#include <iostream>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "events/envelope_parser.h"
#include "events/event_json.h"
#include "events/ndjson_reader.h"
#include "events/upcaster.h"
#include "tools/commands.h"

namespace throughline::tools {

namespace {

struct ValidateOptions {
  std::string file = "-";
  bool print = false;
};

std::string Errors(const events::ValidationErrors& errors) {
  std::string out;
  for (const auto& e : errors) {
    if (!out.empty())
      out += "; ";
    out += fmt::format("{} [{}]", e.ToString(), events::RuleName(e.rule));
  }
  return out;
}

int Validate(const ValidateOptions& options) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (options.file != "-") {
    file.open(options.file, std::ios::binary);
    if (!file) {
      fmt::print(stderr, "throughline validate: cannot open {}: check the path\n", options.file);
      return 2;
    }
    in = &file;
  }
  // With --print the events go to stdout, so the report goes to stderr.
  std::ostream& report = options.print ? std::cerr : std::cout;

  const events::ParseLimits limits;
  events::EnvelopeParser parser(limits);
  events::NdjsonReader reader(*in, limits.max_bytes);
  std::string line;
  std::size_t line_number = 0, valid = 0, invalid = 0, flagged = 0;
  const auto start = std::chrono::steady_clock::now();
  while (reader.Next(&line, &line_number)) {
    events::ParseResult result;
    if (reader.truncated()) {
      result.errors.push_back(events::TooLargeError(reader.line_bytes(), limits));
    } else {
      result = parser.Parse(line);
    }
    if (!result.ok()) {
      ++invalid;
      std::string id =
          result.event.id.empty() ? "" : fmt::format(" id {}", events::Quote(result.event.id));
      fmt::print(report, "line {}{}: {}\n", line_number, id, Errors(result.errors));
      continue;
    }
    ++valid;
    if (!result.event.flags.empty()) {
      ++flagged;
      fmt::print(report, "line {} id {}: flagged: {}\n", line_number,
                 events::Quote(result.event.id), Errors(result.event.flags));
    }
    if (options.print) {
      events::Upcast(&result.event);
      std::cout << events::EventToJson(result.event) << '\n';
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double rate = seconds > 0 ? static_cast<double>(valid + invalid) / seconds : 0;
  fmt::print(report, "{} valid ({} flagged), {} invalid, {:.0f} events/s\n", valid, flagged,
             invalid, rate);
  return invalid == 0 ? 0 : 1;
}

}  // namespace

void AddValidateCommand(CLI::App& app) {
  auto options = std::make_shared<ValidateOptions>();
  auto* cmd = app.add_subcommand(
      "validate",
      "Check NDJSON envelopes (one per line) against the catalogue; exit 1 if any is invalid");
  cmd->add_option("file", options->file, "NDJSON file, or - for standard input")
      ->capture_default_str();
  cmd->add_flag("--print", options->print,
                "Print each valid event, normalised and upcast, as JSON on standard output");
  cmd->callback([options] { throw CLI::RuntimeError(Validate(*options)); });
}

}  // namespace throughline::tools
