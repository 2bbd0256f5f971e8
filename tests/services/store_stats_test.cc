// Write stalls, on a real RocksDB: with its flushes held back, a family's memtables fill and
// RocksDB stops its writes; WriteStallSeconds says how long they waited.

#include "services/store_stats.h"

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include <catch2/catch.hpp>

#include "services/event_store.h"
#include "services/store_keys.h"
#include "tests/test_support.h"

namespace throughline::services {
namespace {

using namespace std::chrono_literals;

TEST_CASE("How long RocksDB held the writes back is read, to the millisecond", "[integration]") {
  testing::TempDir dir;
  StoreOptions options;
  options.sync = false;
  options.write_buffer_bytes = 4 << 20;  // the audit family's memtables: 1 MiB each
  auto store = EventStore::Open(dir.path(), options);
  REQUIRE(store.ok());
  rocksdb::DB* db = (*store)->db();
  CHECK(WriteStallSeconds(**store) == 0);

  // No flush may run: the audit family's memtables fill, and RocksDB stops its writes until
  // flushes run again, 300 ms later.
  REQUIRE(db->PauseBackgroundWork().ok());
  rocksdb::Status written;  // the writer's last Put; Catch2 asserts on this thread only
  std::atomic<std::uint64_t> puts{0};
  std::thread writer([&] {
    const std::string value(100, 'x');
    for (std::uint64_t i = 0; i < 100'000 && written.ok(); ++i, ++puts) {
      written =
          db->Put(rocksdb::WriteOptions(), (*store)->family(Family::kAudit), U64Key(i), value);
    }
  });
  std::string stopped;
  testing::WaitFor(
      [&] {
        return db->GetProperty(rocksdb::DB::Properties::kIsWriteStopped, &stopped) &&
               stopped == "1";
      },
      30s, "RocksDB to stop the writes");
  const std::uint64_t puts_at_stop = puts;
  std::this_thread::sleep_for(300ms);
  CHECK(puts == puts_at_stop);  // the writer waits
  REQUIRE(db->ContinueBackgroundWork().ok());
  writer.join();
  CHECK(written.ok());
  CHECK(puts == 100'000);

  // Counted once the stopped write went through: at least the 300 ms, not much more.
  const double stalled = WriteStallSeconds(**store);
  CHECK(stalled >= 0.3);
  CHECK(stalled < 30);
}

TEST_CASE("The bytes on disk count the write-ahead log, which holds all of an unflushed store",
          "[integration]") {
  testing::TempDir dir;
  auto store = EventStore::Open(dir.path(), StoreOptions{});
  REQUIRE(store.ok());
  rocksdb::DB* db = (*store)->db();
  const std::string value(1000, 'x');
  for (std::uint64_t i = 0; i < 1000; ++i)
    REQUIRE(
        db->Put(rocksdb::WriteOptions(), (*store)->family(Family::kAudit), U64Key(i), value).ok());
  std::uint64_t table_bytes = 1;
  REQUIRE(db->GetIntProperty((*store)->family(Family::kAudit),
                             rocksdb::DB::Properties::kTotalSstFilesSize, &table_bytes));
  REQUIRE(table_bytes == 0);  // nothing flushed: the values are in the log alone

  StoreStats stats = CollectStoreStats(**store, {});
  CHECK(stats.audit_records == 1000);
  CHECK(stats.disk_bytes >= 1000 * value.size());

  REQUIRE(db->Flush(rocksdb::FlushOptions(), (*store)->family(Family::kAudit)).ok());
  stats = CollectStoreStats(**store, {});
  CHECK(stats.disk_bytes >= 1000 * value.size());
}

}  // namespace
}  // namespace throughline::services
