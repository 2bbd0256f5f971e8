// The change window (services/change_window.h) on a real store: what it covers, what it leaves
// to the store, and that it holds nothing while no one subscribes.

#include "services/change_window.h"

#include <atomic>
#include <chrono>
#include <thread>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "events/event_codec.h"
#include "services/subscription.h"
#include "tests/services/store_fixture.h"

namespace throughline::services {
namespace {

using testing::StoreFixture;

const char kPnc[] = R"({"pnc":"2015/0100001Z"})";

// `n` arrests of one person, as one batch; the last sequence.
std::uint64_t Arrests(StoreFixture& f, int n) {
  static int next = 0;
  std::vector<std::string> batch;
  for (int i = 0; i < n; ++i) {
    batch.push_back(testing::Envelope(
        fmt::format("w{}", ++next), "arrest.recorded", "2019-03-04T10:00:00Z",
        R"("mode":"arrest","force":"gwent","offences":[{"code":"TH68001"}])", kPnc));
  }
  f.Append(batch);
  return f.store().state().next_sequence - 1;
}

// Waits for the window to have read through `last` from `from`; its entries from there.
ChangeWindow::Entries ReadThrough(const ChangeWindow& window, std::uint64_t from,
                                  std::uint64_t last) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (true) {
    ChangeWindow::Entries entries;
    std::uint64_t through = 0;
    const bool covered = window.Read(from, 100'000, &entries, &through);
    if ((covered && through >= last) || std::chrono::steady_clock::now() > deadline) {
      INFO("covered " << covered << ", through " << through);
      REQUIRE(covered);
      REQUIRE(through == last);
      return entries;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

TEST_CASE("The change window: the newest records shared, older ones left to the store",
          "[integration]") {
  StoreFixture f;
  const std::uint64_t before = Arrests(f, 10);
  std::atomic<int> extended{0};
  ChangeWindow window(&f.store(), 512, [&] { ++extended; });
  ChangeWindow::Entries entries;
  std::uint64_t through = 0;

  // What was there before it started is the store's to read.
  CHECK_FALSE(window.Read(1, 100, &entries, &through));
  CHECK(through == before);
  const auto older = ReadLogChanges(f.store(), 1, through, 100, "test");
  REQUIRE(older.size() == before);
  CHECK(older.front().sequence == 1);
  CHECK(older.back().state != nullptr);
  CHECK(older.front().state == older.back().state);  // one person: one state read

  // A session reading the store asks first whether it may send a change: the ones it refuses
  // are left out, and no state is read for them.
  int asked = 0;
  const auto odd = ReadLogChanges(f.store(), 1, through, 100, "test", [&](const LogChange& c) {
    ++asked;
    CHECK(c.state == nullptr);
    CHECK(c.person == older.front().person);
    return c.sequence % 2 == 1;
  });
  CHECK(asked == static_cast<int>(before));
  REQUIRE(odd.size() == (before + 1) / 2);
  CHECK(odd.front().sequence == 1);
  CHECK(odd.back().sequence % 2 == 1);
  CHECK(odd.back().state != nullptr);
  CHECK(ReadLogChanges(f.store(), 1, through, 100, "test", [](const LogChange&) {
          return false;
        }).empty());

  SECTION("while no one subscribes it reads nothing, and starts at the log's end") {
    const std::uint64_t unwatched = Arrests(f, 5);
    window.Committed(unwatched, false);
    CHECK_FALSE(window.Read(before + 1, 100, &entries, &through));
    CHECK(through == unwatched);
    const int extended_before = extended;
    const std::uint64_t last = Arrests(f, 5);
    window.Committed(last, true);
    entries = ReadThrough(window, unwatched + 1, last);
    REQUIRE(entries.size() == 5);
    CHECK(entries.front()->change().sequence == unwatched + 1);
    CHECK(extended > extended_before);

    // Once no one subscribes, it lets its entries go.
    window.Committed(last, false);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (window.Read(last, 1, &entries, &through) &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    CHECK_FALSE(window.Read(last, 1, &entries, &through));
    CHECK(through == last);
  }

  SECTION("each change is read once, its message rendered once per set of data classes") {
    const std::uint64_t last = Arrests(f, 3);
    window.Committed(last, true);
    entries = ReadThrough(window, before + 1, last);
    REQUIRE(entries.size() == 3);
    auto stored = f.store().ReadRecord(before + 2);
    REQUIRE(stored.ok());
    const LogChange& change = entries[1]->change();
    CHECK(change.sequence == before + 2);
    CHECK(change.person == f.PersonOf("pnc:2015/0100001Z"));
    auto event = events::DecodeEvent(stored->event);
    REQUIRE(event.ok());
    CHECK(change.event.id == event->id);
    REQUIRE(change.state);
    CHECK(change.state->view.counts.arrests == static_cast<int>(last));

    const events::Timestamp now = f.clock().Now();
    const std::string all = entries[1]->Message(kAllClasses, now);
    CHECK(all.find(fmt::format(R"("sequence":{})", before + 2)) != std::string::npos);
    CHECK(all == ChangeMessage(change, kAllClasses, now));
    // Rendered once: a later `now` does not change the kept message.
    CHECK(entries[1]->Message(kAllClasses, events::Timestamp{now.unix_ms + 86'400'000}) == all);
    const DataClasses general = Bit(DataClass::kGeneral);
    CHECK(entries[1]->Message(general, now) == ChangeMessage(change, general, now));
    CHECK(entries[1]->Message(general, now) != all);  // the offences are not the general's
    // Entries are shared, not copied: a second read hands out the same ones.
    CHECK(ReadThrough(window, before + 2, last).front() == entries[1]);
  }

  SECTION("changes handed over by the writer are taken as they are, if they follow") {
    // Records the store does not have: read back, they would be unreadable and left out.
    const auto model = ReadLogChanges(f.store(), before, before, 1, "test");
    REQUIRE(model.size() == 1);
    auto change = [&](std::uint64_t sequence) {
      return LogChange{sequence, model[0].person, model[0].event, model[0].state};
    };
    const int extended_before = extended;
    window.Committed(before + 3, true,
                     {change(before + 1), change(before + 2), change(before + 3)});
    CHECK(extended == extended_before + 1);  // at once, on the caller's thread
    REQUIRE(window.Read(before + 1, 100, &entries, &through));
    CHECK(through == before + 3);
    REQUIRE(entries.size() == 3);
    CHECK(entries[2]->change().sequence == before + 3);
    CHECK(entries[2]->change().state == model[0].state);

    // After a gap the window reads the store instead, which has nothing there.
    window.Committed(before + 5, true, {change(before + 5)});
    CHECK(ReadThrough(window, before + 4, before + 5).empty());
  }

  SECTION("it keeps at most its capacity; a cursor older than that reads the store") {
    std::uint64_t last = 0;
    for (int i = 0; i < 4; ++i) {
      last = Arrests(f, 300);
      window.Committed(last, true);
    }
    entries = ReadThrough(window, last, last);
    CHECK(entries.size() == 1);
    CHECK_FALSE(window.Read(before + 1, 100, &entries, &through));
    CHECK(through >= last - 512);  // 512 at most held
    CHECK(through < last);
    entries.clear();
    CHECK(window.Read(through + 1, 100'000, &entries, &through));
    CHECK(through == last);
    CHECK(entries.size() <= 512);
    CHECK(entries.back()->change().sequence == last);
  }
}

}  // namespace
}  // namespace throughline::services
