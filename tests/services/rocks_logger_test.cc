// RocksDB's info log goes to the engine's log at its own level, but for the warnings that say
// nothing is wrong (services/rocks_logger.cc), which go at info with a note saying why.

#include "services/rocks_logger.h"

#include <cstdarg>

#include <catch2/catch.hpp>

#include "tests/log_lines.h"

namespace throughline::services {
namespace {

void Log(RocksLogger& logger, rocksdb::InfoLogLevel level, const char* format, ...) {
  va_list ap;
  va_start(ap, format);
  logger.Logv(level, format, ap);
  va_end(ap);
}

TEST_CASE("RocksDB's log lines keep their level, but for the expected warnings") {
  testing::LogLines log("%l %v");
  RocksLogger logger(rocksdb::InfoLogLevel::INFO_LEVEL);

  SECTION("a warning stays a warning") {
    Log(logger, rocksdb::InfoLogLevel::WARN_LEVEL,
        "[db/column_family.cc:944] [views.1] Stopping writes because we have %d immutable "
        "memtables",
        2);
    CHECK(log.Count("warning rocksdb") == 1);
    CHECK(log.Text().find("Stopping writes because we have 2 immutable") != std::string::npos);
  }
  SECTION("the table file taken in whole, without a unique ID, is logged at info with why") {
    // The line RocksDB 7.8 writes (table/block_based/block_based_table_reader.cc).
    Log(logger, rocksdb::InfoLogLevel::WARN_LEVEL,
        "[table/block_based/block_based_table_reader.cc:723] At least one SST file opened "
        "without unique ID to verify: %llu.sst",
        190ULL);
    CHECK(log.Count("warning rocksdb") == 0);
    CHECK(log.Count("info rocksdb") == 1);
    CHECK(log.Text().find("190.sst note=\"expected after a rebuild") != std::string::npos);
  }
  SECTION("an error and an info line keep their levels") {
    Log(logger, rocksdb::InfoLogLevel::ERROR_LEVEL, "background error: %s", "IO error");
    Log(logger, rocksdb::InfoLogLevel::INFO_LEVEL, "flushed %d files", 3);
    CHECK(log.Count("error rocksdb") == 1);
    CHECK(log.Count("info rocksdb") == 1);
  }
  SECTION("below the logger's level, nothing") {
    Log(logger, rocksdb::InfoLogLevel::DEBUG_LEVEL, "a debug line");
    CHECK(log.Text().empty());
  }
}

}  // namespace
}  // namespace throughline::services
