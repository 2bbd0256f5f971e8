#include "tools/store_reader.h"

namespace throughline::tools {

Result<std::unique_ptr<services::EventStore>> OpenStoreToRead(const std::string& data) {
  services::StoreOptions options;
  options.block_cache_bytes = 64 << 20;
  return services::EventStore::Open(data, options, services::OpenMode::kSecondary);
}

}  // namespace throughline::tools
