#include "services/rocks_logger.h"

#include <algorithm>
#include <cstdio>
#include <string_view>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace throughline::services {

namespace {

// The engine's log where the command set one up (tools/process.cc names it "throughline"),
// else standard error: never standard output, where commands print what they were asked for.
std::shared_ptr<spdlog::logger> Log() {
  if (auto engine = spdlog::get("throughline"))
    return engine;
  static const std::shared_ptr<spdlog::logger> fallback = spdlog::stderr_logger_mt("rocksdb");
  return fallback;
}

// RocksDB's warnings that say nothing is wrong, with why: logged at info, so that a warning in
// the engine's log always asks for a look.
struct ExpectedWarning {
  std::string_view text;
  std::string_view why;
};
constexpr ExpectedWarning kExpectedWarnings[] = {
    // A rebuild's views come as table files of its own (rocksdb::SstFileWriter), taken in by
    // IngestExternalFile. RocksDB 7.8 records no unique ID in its manifest for a file taken in
    // that way, so it cannot check the ID when it opens the file, and says so once.
    {"opened without unique ID to verify",
     "expected after a rebuild: its table files were taken in whole, and RocksDB keeps no "
     "unique ID for such files (docs/projections.md)"},
};

const ExpectedWarning* Expected(std::string_view line) {
  for (const ExpectedWarning& w : kExpectedWarnings) {
    if (line.find(w.text) != std::string_view::npos)
      return &w;
  }
  return nullptr;
}

}  // namespace

void RocksLogger::Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) {
  if (level < GetInfoLogLevel())
    return;
  char buffer[1024];
  const int n = std::vsnprintf(buffer, sizeof(buffer), format, ap);
  if (n < 0)
    return;
  std::string_view line(buffer,
                        std::min<std::size_t>(static_cast<std::size_t>(n), sizeof(buffer) - 1));
  while (!line.empty() && (line.back() == '\n' || line.back() == ' '))
    line.remove_suffix(1);
  if (line.empty())
    return;
  switch (level) {
    case rocksdb::InfoLogLevel::DEBUG_LEVEL:
      Log()->debug("rocksdb {}", line);
      break;
    case rocksdb::InfoLogLevel::INFO_LEVEL:
    case rocksdb::InfoLogLevel::HEADER_LEVEL:
      Log()->info("rocksdb {}", line);
      break;
    case rocksdb::InfoLogLevel::WARN_LEVEL:
      if (const ExpectedWarning* expected = Expected(line))
        Log()->info("rocksdb {} note=\"{}\"", line, expected->why);
      else
        Log()->warn("rocksdb {}", line);
      break;
    default:
      Log()->error("rocksdb {}", line);
  }
}

void RocksLogger::Logv(const char* format, va_list ap) {
  Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap);
}

}  // namespace throughline::services
