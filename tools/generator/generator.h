// Generator: realistic synthetic lifetimes for a region, as the CloudEvents envelopes the
// agencies would publish (docs/events.md), in the order they would publish them.
//
//   GeneratorOptions options;
//   options.persons = 20000;
//   Generator generator(options);
//   generator.Run([&](std::string_view json) { out << json << '\n'; });
//
// Every message is one envelope, valid against the catalogue. Messages come in delivery order:
// by event time, except the share published late (days to months after), out of order (hours
// to days after), delivered twice (the same bytes again), and the few retractions
// (event.retracted naming an earlier event of the same person). See docs/generator.md.
//
// Deterministic: the same options give the same bytes, on any machine. Nothing reads the clock.
// Not thread-safe; Run() calls the sink on the calling thread.

#ifndef THROUGHLINE_TOOLS_GENERATOR_GENERATOR_H_
#define THROUGHLINE_TOOLS_GENERATOR_GENERATOR_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "events/status.h"

namespace throughline::generator {

struct GeneratorOptions {
  // People simulated: everyone the region's justice system dealt with in the period, at most
  // kMaxPersons (person_ids.h). Default: 20000
  std::uint32_t persons = 20000;
  // Length of the period, in years, ending at `end`. Default: 10
  int years = 10;
  // Default: 1
  std::uint64_t seed = 1;
  // End of the period (exclusive), as YYYY-MM-DD; fixed rather than today so that output does not
  // depend on when it is run. Default: 2026-01-01
  std::string end = "2026-01-01";
  // Share of events published days to months after they happened. Default: 0.05
  double late = 0.05;
  // Share published hours to days late, after events that happened after them. Default: 0.05
  double out_of_order = 0.05;
  // Share delivered a second time, the same bytes, as Kafka redelivers. Default: 0.02
  double duplicates = 0.02;
  // Share retracted later by an event.retracted from the same source. Default: 0.002
  double retractions = 0.002;
  // Share of custody events published in their old dataversion 1. Default: 0.01
  double custody_v1 = 0.01;
};

// InvalidArgument naming the option when one is out of range.
Status ValidateOptions(const GeneratorOptions& options);

// How a message came to be delivered where it is.
enum class Delivery : unsigned char {
  kOnTime,      // when it happened (the usual case)
  kLate,        // days to months later
  kOutOfOrder,  // hours to days later, after events that happened after it
  kDuplicate,   // a second delivery of an earlier message, the same bytes
  kRetraction,  // an event.retracted
};

struct Message {
  std::string_view json;
  std::int64_t time_ms = 0;       // the event's time
  std::int64_t delivered_ms = 0;  // when it was published, in simulated time
  Delivery delivery = Delivery::kOnTime;
  std::uint32_t person = 0;  // the index of the simulated person
  std::string_view type;
};

struct GeneratorStats {
  std::uint64_t messages = 0;  // delivered, duplicates included
  std::uint64_t persons = 0;   // people who appeared
  std::uint64_t late = 0;
  std::uint64_t out_of_order = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t retractions = 0;
  std::map<std::string, std::uint64_t, std::less<>> by_type;  // distinct events, by type
};

class Generator {
 public:
  explicit Generator(GeneratorOptions options);
  ~Generator();
  Generator(const Generator&) = delete;
  Generator& operator=(const Generator&) = delete;

  // Generates everything, calling `sink` once per message in delivery order. Call once.
  // InvalidArgument if the options are invalid.
  Status Run(const std::function<void(std::string_view json)>& sink);
  // The same, with how each message came to be where it is (for tests and statistics).
  Status RunMessages(const std::function<void(const Message&)>& sink);

  // How far the simulated clock has come through the period, 0..1; for a progress bar, read from
  // the sink.
  double progress() const;
  const GeneratorStats& stats() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace throughline::generator

#endif  // THROUGHLINE_TOOLS_GENERATOR_GENERATOR_H_
