#include "services/rocks_logger.h"

#include <algorithm>
#include <cstdio>
#include <string_view>

#include <spdlog/spdlog.h>

namespace throughline::services {

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
      spdlog::debug("rocksdb {}", line);
      break;
    case rocksdb::InfoLogLevel::INFO_LEVEL:
    case rocksdb::InfoLogLevel::HEADER_LEVEL:
      spdlog::info("rocksdb {}", line);
      break;
    case rocksdb::InfoLogLevel::WARN_LEVEL:
      spdlog::warn("rocksdb {}", line);
      break;
    default:
      spdlog::error("rocksdb {}", line);
  }
}

void RocksLogger::Logv(const char* format, va_list ap) {
  Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap);
}

}  // namespace throughline::services
