// LogWriter on a real RocksDB in a temporary directory.

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "events/event_codec.h"
#include "services/log_verifier.h"
#include "services/projected_log.h"
#include "services/store_keys.h"
#include "tests/services/store_fixture.h"
#include "tests/test_support.h"

namespace throughline::services {
namespace {

using testing::WithMember;

using Fixture = testing::StoreFixture;

std::string Event(const std::string& id, const std::string& person_json,
                  const std::string& time = "2019-03-04T10:15:00Z") {
  return fmt::format(
      R"({{"specversion":"1.0","id":"{}","source":"police/gwent/custody","type":"arrest.recorded",)"
      R"("time":"{}","data":{{"person":{},"mode":"arrest","force":"gwent",)"
      R"("offences":[{{"code":"TH68001"}}]}}}})",
      id, time, person_json);
}

const std::string kPnc = R"({"pnc":"2012/0123456Y"})";

TEST_CASE("Sequences run 1, 2, 3 with no gap, chained by hash", "[integration]") {
  Fixture f;
  auto first = f.Append({Event("a", kPnc), Event("b", kPnc), Event("c", kPnc)});
  CHECK(first.appended == 3);
  CHECK(first.first_sequence == 1);
  CHECK(first.last_sequence == 3);
  auto second = f.Append({Event("d", kPnc)});
  CHECK(second.first_sequence == 4);
  auto r3 = f.store().ReadRecord(3);
  auto r4 = f.store().ReadRecord(4);
  REQUIRE(r3.ok());
  REQUIRE(r4.ok());
  CHECK(r4->previous_hash == HashRecord(3, EncodeLogRecord(*r3)));
  CHECK(r4->origin == KafkaPosition{"t", 0, 3});
  CHECK(f.store().state().next_sequence == 5);
  CHECK(f.store().StoredOffsets().at({"t", 0}) == 4);
  f.ExpectVerified();
}

TEST_CASE("The same (source, id) twice is one event, and with different content a dead letter",
          "[integration]") {
  Fixture f;
  auto result = f.Append({Event("a", kPnc), Event("a", kPnc)});
  CHECK(result.appended == 1);
  CHECK(result.duplicates == 1);
  result = f.Append({Event("a", kPnc)});
  CHECK(result.appended == 0);
  CHECK(result.duplicates == 1);
  // Same id, another time: not a redelivery but a reused id.
  result = f.Append({Event("a", kPnc, "2020-01-01T00:00:00Z")});
  CHECK(result.appended == 0);
  CHECK(result.dead_letters == 1);
  CHECK(f.store().state().next_sequence == 2);
  CHECK(f.store().state().next_dead_letter == 2);
  f.ExpectVerified();
}

TEST_CASE("Invalid messages become dead letters with their bytes and reasons", "[integration]") {
  Fixture f;
  auto result =
      f.Append({"not json", Event("a", kPnc), WithMember(Event("b", kPnc), {"type"}, "x")});
  CHECK(result.appended == 1);
  CHECK(result.dead_letters == 2);
  std::string value;
  REQUIRE(
      f.store()
          .db()
          ->Get(rocksdb::ReadOptions(), f.store().family(Family::kDeadLetters), U64Key(1), &value)
          .ok());
  auto letter = DecodeDeadLetter(1, value);
  REQUIRE(letter.ok());
  CHECK(letter->value == "not json");
  CHECK(letter->origin.offset == 0);
  REQUIRE(letter->errors.size() == 1);
  CHECK(letter->errors[0].rule == events::Rule::kJsonSyntax);
  f.ExpectVerified();
}

TEST_CASE("Identity: new, attached, and conflicting identifiers", "[integration]") {
  Fixture f;
  f.Append({Event("a", R"({"pnc":"2012/0123456Y"})")});
  const std::uint64_t p = f.PersonOf("pnc:2012/0123456Y");
  SECTION("a new identifier on a known person attaches to it") {
    f.Append({Event("b", R"({"pnc":"2012/0123456Y","noms":"A1234BC"})")});
    CHECK(f.PersonOf("noms:A1234BC") == p);
    CHECK(f.EventsOf(p).size() == 2);
  }
  SECTION("identifiers never seen make a new person") {
    f.Append({Event("b", R"({"crn":"X654321"})")});
    CHECK(f.PersonOf("crn:X654321") != p);
  }
  SECTION("identifiers of two people: the strongest wins, and the conflict is recorded") {
    // p holds a CRN already, q another: an event naming p's PNC with q's CRN contradicts one.
    f.Append({Event("b", R"({"pnc":"2012/0123456Y","crn":"X111111"})"),
              Event("c", R"({"crn":"X654321"})")});
    const std::uint64_t q = f.PersonOf("crn:X654321");
    auto result = f.Append({Event("d", R"({"pnc":"2012/0123456Y","crn":"X654321"})")});
    CHECK(result.identity_conflicts == 1);
    auto record = f.store().ReadRecord(4);
    REQUIRE(record.ok());
    CHECK(record->person == p);
    REQUIRE(record->conflicts.size() == 1);
    CHECK(record->conflicts[0].value == "X654321");
    CHECK(record->conflicts[0].other_person == q);
    CHECK(f.PersonOf("crn:X654321") == q);  // left where it was
    CHECK(f.EventsOf(p) == std::vector<std::uint64_t>{1, 2, 4});
  }
  SECTION("two records that contradict nothing are linked into one by the event naming both") {
    // A prison event with only the prison number arrived before the one that carried the PNC.
    f.Append({Event("b", R"({"noms":"A1234BC"})", "2019-04-01T10:00:00Z")});
    const std::uint64_t q = f.PersonOf("noms:A1234BC");
    CHECK(q != p);
    auto result = f.Append({Event("c", R"({"pnc":"2012/0123456Y","noms":"A1234BC"})")});
    CHECK(result.identity_conflicts == 0);
    CHECK(f.PersonOf("noms:A1234BC") == p);
    CHECK(f.EventsOf(p) == std::vector<std::uint64_t>{1, 3, 2});  // in event time order
    CHECK(f.EventsOf(q).empty());
    auto merged = f.store().ReadPerson(q);
    REQUIRE(merged.ok());
    CHECK(merged->merged_into == p);
  }
  f.ExpectVerified();
}

TEST_CASE("The person index orders a person's events by event time", "[integration]") {
  Fixture f;
  f.Append({Event("late", kPnc, "2020-01-01T00:00:00Z"),
            Event("early", kPnc, "2001-01-01T00:00:00Z"),
            Event("mid", kPnc, "2010-01-01T00:00:00Z")});
  CHECK(f.EventsOf(f.PersonOf("pnc:2012/0123456Y")) == std::vector<std::uint64_t>{2, 3, 1});
}

std::string Merge(const std::string& id, const std::string& person, const std::string& merged,
                  const std::string& type = "identity.merged",
                  const std::string& field = "merged") {
  return fmt::format(R"({{"specversion":"1.0","id":"{}","source":"police/pnc","type":"{}",)"
                     R"("time":"2021-01-01T00:00:00Z","data":{{"person":{},"{}":{}}}}})",
                     id, type, person, field, merged);
}

TEST_CASE("identity.merged joins two people and identity.unmerged parts them again",
          "[integration]") {
  Fixture f;
  f.Append({Event("a", R"({"pnc":"2012/0123456Y"})"), Event("b", R"({"crn":"X654321"})"),
            Event("c", R"({"crn":"X654321"})")});
  const std::uint64_t p = f.PersonOf("pnc:2012/0123456Y");
  const std::uint64_t q = f.PersonOf("crn:X654321");
  REQUIRE(p != q);

  f.Append({Merge("m", R"({"pnc":"2012/0123456Y"})", R"({"crn":"X654321"})")});
  CHECK(f.PersonOf("crn:X654321") == p);
  CHECK(f.EventsOf(p) == std::vector<std::uint64_t>{1, 2, 3, 4});
  CHECK(f.EventsOf(q).empty());
  CHECK(f.store().ReadPerson(q)->merged_into == p);
  CHECK(f.store().CurrentPerson(q) == p);
  f.ExpectVerified();

  SECTION("events after the merge go to the survivor") {
    f.Append({Event("d", R"({"crn":"X654321"})")});
    CHECK(f.EventsOf(p).size() == 5);
    f.ExpectVerified();
  }
  SECTION("unmerge revives the merged person with its events") {
    f.Append({Merge("u", R"({"pnc":"2012/0123456Y"})", R"({"crn":"X654321"})", "identity.unmerged",
                    "unmerged")});
    CHECK(f.PersonOf("crn:X654321") == q);
    CHECK(f.EventsOf(q) == std::vector<std::uint64_t>{2, 3});
    CHECK(f.EventsOf(p) == std::vector<std::uint64_t>{1, 4, 5});
    CHECK(f.store().ReadPerson(q)->merged_into == 0);
    f.ExpectVerified();
  }
  SECTION("merge and unmerge inside one batch") {
    f.Append({Event("e", R"({"crn":"X999999"})"),
              Merge("m2", R"({"pnc":"2012/0123456Y"})", R"({"crn":"X999999"})"),
              Merge("u2", R"({"pnc":"2012/0123456Y"})", R"({"crn":"X999999"})", "identity.unmerged",
                    "unmerged")});
    const std::uint64_t r = f.PersonOf("crn:X999999");
    CHECK(r != p);
    CHECK(f.EventsOf(r) == std::vector<std::uint64_t>{5});
    f.ExpectVerified();
  }
}

TEST_CASE("State survives a reopen, without a scan", "[integration]") {
  Fixture f;
  f.Append({Event("a", kPnc), Event("b", R"({"crn":"X654321"})"), "junk"});
  const LogState before = f.store().state();
  f.Reopen();
  const LogState after = f.store().state();
  CHECK(after.next_sequence == before.next_sequence);
  CHECK(after.last_hash == before.last_hash);
  CHECK(after.next_person == before.next_person);
  CHECK(after.next_dead_letter == before.next_dead_letter);
  f.Append({Event("c", kPnc)});
  CHECK(f.store().state().next_sequence == 4);
  f.ExpectVerified();
}

TEST_CASE("verify finds a changed record, a missing record and a broken index", "[integration]") {
  Fixture f;
  f.Append({Event("a", kPnc), Event("b", kPnc), Event("c", kPnc), Event("d", kPnc)});
  auto* db = f.store().db();
  auto* log = f.store().family(Family::kLog);
  SECTION("a record changed in place") {
    auto record = f.store().ReadRecord(2);
    REQUIRE(record.ok());
    record->appended_at.unix_ms += 1;
    REQUIRE(db->Put(rocksdb::WriteOptions(), log, U64Key(2), EncodeLogRecord(*record)).ok());
    auto report = VerifyStore(f.store());
    CHECK_FALSE(report.ok());
    CHECK(report.first_chain_break == 3);
  }
  SECTION("a record removed") {
    REQUIRE(db->Delete(rocksdb::WriteOptions(), log, U64Key(3)).ok());
    auto report = VerifyStore(f.store());
    CHECK_FALSE(report.ok());
    CHECK(report.first_chain_break == 3);
  }
  SECTION("the last record changed") {
    auto record = f.store().ReadRecord(4);
    record->person = 99;
    REQUIRE(db->Put(rocksdb::WriteOptions(), log, U64Key(4), EncodeLogRecord(*record)).ok());
    auto report = VerifyStore(f.store());
    CHECK(report.first_chain_break == 4);
  }
  SECTION("any byte of a stored record flipped, as a bad disk would") {
    std::string value;
    REQUIRE(db->Get(rocksdb::ReadOptions(), log, U64Key(2), &value).ok());
    for (std::size_t i = 0; i < value.size(); ++i) {
      std::string flipped = value;
      flipped[i] = static_cast<char>(flipped[i] ^ 0x01);
      REQUIRE(db->Put(rocksdb::WriteOptions(), log, U64Key(2), flipped).ok());
      auto report = VerifyStore(f.store());
      INFO("byte " << i << " of " << value.size() << ": "
                   << fmt::format("{}", fmt::join(report.problems, "; ")));
      CHECK_FALSE(report.ok());
      // Named as the record that does not decode, or as the one the next record's hash
      // does not match.
      REQUIRE(report.first_chain_break);
      CHECK((*report.first_chain_break == 2 || *report.first_chain_break == 3));
      CHECK(fmt::format("{}", fmt::join(report.problems, "; ")).find("record 2") !=
            std::string::npos);
    }
  }
  SECTION("an index entry lost") {
    auto* index = f.store().family(Family::kPersonEvents);
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), index));
    it->SeekToFirst();
    REQUIRE(it->Valid());
    REQUIRE(db->Delete(rocksdb::WriteOptions(), index, it->key()).ok());
    auto report = VerifyStore(f.store());
    CHECK_FALSE(report.ok());
    CHECK_FALSE(report.first_chain_break);
  }
}

}  // namespace
}  // namespace throughline::services
