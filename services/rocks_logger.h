// RocksLogger: RocksDB's info log, sent to the engine's log (spdlog) instead of db/LOG, for the
// read-write store (a secondary reader keeps its own file, in its temporary directory).
//
// Why not RocksDB's own LOG file: it sits on the data directory's disk. When that disk is full
// the file logger's failed append, followed by the error handler logging the failure, trips an
// assertion in the Debian build of librocksdb 7.8 (assertions left on) and aborts the engine:
// a full disk must pause ingest, not kill it. RocksDB writes little at WARN and above, so the
// engine's own log carries it well.
//
// Thread-safe: RocksDB logs from its background threads and from writers.

#ifndef THROUGHLINE_SERVICES_ROCKS_LOGGER_H_
#define THROUGHLINE_SERVICES_ROCKS_LOGGER_H_

#include <cstdarg>

#include <rocksdb/env.h>

namespace throughline::services {

class RocksLogger final : public rocksdb::Logger {
 public:
  explicit RocksLogger(rocksdb::InfoLogLevel level) : rocksdb::Logger(level) {}

  using rocksdb::Logger::Logv;
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override;
  void Logv(const char* format, va_list ap) override;
};

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_ROCKS_LOGGER_H_
