// StoreFixture: a real store in a temporary directory with the engine's writer and projections
// (services/projected_log.h), fed as if from one Kafka partition, on a clock the test drives.

#ifndef THROUGHLINE_TESTS_SERVICES_STORE_FIXTURE_H_
#define THROUGHLINE_TESTS_SERVICES_STORE_FIXTURE_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "events/envelope_parser.h"
#include "services/clock.h"
#include "services/event_store.h"
#include "services/incoming.h"
#include "services/log_verifier.h"
#include "services/projected_log.h"
#include "tests/test_support.h"

namespace throughline::testing {

// PNCs of 2015 with serials 0100001.., with their check letters.
inline std::string TestPnc(int i) {
  static constexpr char kAlphabet[] = "ZABCDEFGHJKLMNPQRTUVWXY";
  const long serial = 100000 + i;
  return fmt::format("2015/{:07}{}", serial, kAlphabet[(150000000L + serial) % 23]);
}

// An envelope of `type` about `person` (a JSON object of identifiers) with the type's fields
// (JSON members, or ""), from source "test/<family of the type>". Custody events are in their
// current dataversion 2 (`prison`, not `establishment`).
inline std::string Envelope(const std::string& id, const std::string& type, const std::string& time,
                            const std::string& fields, const std::string& person) {
  return fmt::format(R"({{"specversion":"1.0","id":"{}","source":"test/{}","type":"{}",)"
                     R"("time":"{}","dataversion":{},"data":{{"person":{}{}{}}}}})",
                     id, type.substr(0, type.find('.')), type, time,
                     type.starts_with("custody.") ? 2 : 1, person, fields.empty() ? "" : ",",
                     fields);
}

// Every key and value of a column family, for comparing projections before and after.
inline std::map<std::string, std::string> ReadFamily(const services::EventStore& store,
                                                     services::Family family) {
  std::map<std::string, std::string> out;
  std::unique_ptr<rocksdb::Iterator> it(
      store.db()->NewIterator(rocksdb::ReadOptions(), store.family(family)));
  for (it->SeekToFirst(); it->Valid(); it->Next())
    out.emplace(it->key().ToString(), it->value().ToString());
  return out;
}

class StoreFixture {
 public:
  // The clock starts at 2023-11-14T22:13:20Z and moves a second with every batch.
  StoreFixture() : clock_(events::Timestamp{1'700'000'000'000}) { Reopen(); }

  void Reopen() {
    log_.reset();
    store_.reset();
    services::StoreOptions options;
    options.sync = false;  // the crash tests cover sync; these test logic
    auto store = services::EventStore::Open(dir_.path(), options);
    REQUIRE(store.ok());
    store_ = std::move(*store);
    auto log = services::ProjectedLog::Open(store_.get(), &clock_);
    REQUIRE(log.ok());
    log_ = std::move(*log);
  }

  // Appends messages as one batch, as if consumed from partition 0 of "t", continuing its
  // offsets.
  services::AppendResult Append(const std::vector<std::string>& values) {
    services::IncomingBatch batch;
    for (const auto& value : values) {
      services::RawMessage raw;
      raw.origin = {"t", 0, next_offset_++};
      raw.value = value;
      batch.messages.push_back(services::ParseMessage(std::move(raw), parser_));
    }
    batch.offsets[{"t", 0}] = next_offset_;
    services::AppendResult result;
    Status s = log_->writer().Append(batch, &result);
    INFO(s.ToString());
    REQUIRE(s.ok());
    clock_.Advance(1000);
    return result;
  }

  std::uint64_t PersonOf(const std::string& identifier) {
    auto colon = identifier.find(':');
    auto kind = events::ParseIdentifierKind(identifier.substr(0, colon));
    REQUIRE(kind);
    auto person = store_->FindPerson({*kind, identifier.substr(colon + 1)});
    REQUIRE(person);
    return *person;
  }

  std::vector<std::uint64_t> EventsOf(std::uint64_t person) {
    std::vector<std::uint64_t> sequences;
    store_->ForEachPersonEvent(person, [&](events::Timestamp, std::uint64_t s) {
      sequences.push_back(s);
      return true;
    });
    return sequences;
  }

  // The whole store checks out (services/log_verifier.h), alerts judged by the test's clock.
  void ExpectVerified() {
    auto report = services::VerifyStore(*store_, {}, clock_.Now());
    INFO(fmt::format("{}", fmt::join(report.problems, "\n")));
    CHECK(report.ok());
  }

  services::EventStore& store() { return *store_; }
  services::ProjectedLog& log() { return *log_; }
  services::ManualClock& clock() { return clock_; }

 private:
  TempDir dir_;
  services::ManualClock clock_;
  std::unique_ptr<services::EventStore> store_;
  std::unique_ptr<services::ProjectedLog> log_;
  events::EnvelopeParser parser_;
  std::int64_t next_offset_ = 0;
};

}  // namespace throughline::testing

#endif  // THROUGHLINE_TESTS_SERVICES_STORE_FIXTURE_H_
