#include "services/kafka_client.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace throughline::services {

Status KafkaError(rd_kafka_resp_err_t err, std::string_view what) {
  std::string message = fmt::format("{}: {}", what, rd_kafka_err2str(err));
  switch (err) {
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
      return Status::IOError(message);
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
      return Status::NotFound(message);
    default:
      return Status::IOError(message);
  }
}

namespace {

// librdkafka's own log lines, as ours: "kafka.log client=... facility=... message=...".
void LogToSpdlog(const rd_kafka_t* rk, int level, const char* facility, const char* message) {
  const auto spd = level <= 3   ? spdlog::level::err
                   : level == 4 ? spdlog::level::warn
                   : level <= 6 ? spdlog::level::info
                                : spdlog::level::debug;
  spdlog::log(spd, "kafka.log client={} facility={} message=\"{}\"", rd_kafka_name(rk), facility,
              message);
}

}  // namespace

Result<KafkaConf> MakeKafkaConf(const KafkaConnection& connection, const KafkaSettings& defaults) {
  KafkaConf conf(rd_kafka_conf_new());
  rd_kafka_conf_set_log_cb(conf.get(), &LogToSpdlog);
  char error[512];
  auto set = [&](const std::string& key, const std::string& value) -> Status {
    if (rd_kafka_conf_set(conf.get(), key.c_str(), value.c_str(), error, sizeof(error)) !=
        RD_KAFKA_CONF_OK) {
      return Status::InvalidArgument(fmt::format("Kafka setting {}={}: {}", key, value, error));
    }
    return Status::OK();
  };
  if (Status s = set("bootstrap.servers", connection.bootstrap); !s.ok())
    return s;
  for (const auto& [key, value] : defaults) {
    if (Status s = set(key, value); !s.ok())
      return s;
  }
  for (const auto& [key, value] : connection.settings) {
    if (Status s = set(key, value); !s.ok())
      return s;
  }
  return conf;
}

Result<KafkaHandle> MakeKafkaClient(rd_kafka_type_t type, KafkaConf conf) {
  char error[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf.get(), error, sizeof(error));
  if (rk == nullptr)
    return Status::InvalidArgument(fmt::format("Kafka client: {}", error));
  conf.release();  // rd_kafka_new owns it now
  return KafkaHandle(rk);
}

Result<std::pair<std::string, std::string>> ParseKafkaSetting(const std::string& text) {
  auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    return Status::InvalidArgument(fmt::format(
        "Kafka setting \"{}\" is not key=value (e.g. security.protocol=SASL_SSL)", text));
  }
  return std::pair{text.substr(0, eq), text.substr(eq + 1)};
}

Result<std::pair<std::int64_t, std::int64_t>> QueryWatermarks(rd_kafka_t* rk,
                                                              const std::string& topic,
                                                              std::int32_t partition,
                                                              int timeout_ms) {
  std::int64_t low = 0, high = 0;
  rd_kafka_resp_err_t err =
      rd_kafka_query_watermark_offsets(rk, topic.c_str(), partition, &low, &high, timeout_ms);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return KafkaError(err, fmt::format("watermarks of {} [{}]", topic, partition));
  }
  return std::pair{low, high};
}

Result<int> PartitionCount(rd_kafka_t* rk, const std::string& topic, int timeout_ms) {
  rd_kafka_topic_t* handle = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  const rd_kafka_metadata_t* metadata = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, handle, &metadata, timeout_ms);
  rd_kafka_topic_destroy(handle);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return KafkaError(err, fmt::format("metadata of {}", topic));
  }
  int count = -1;
  if (metadata->topic_cnt == 1 && metadata->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    count = metadata->topics[0].partition_cnt;
  } else if (metadata->topic_cnt == 1) {
    err = metadata->topics[0].err;
  }
  rd_kafka_metadata_destroy(metadata);
  if (count < 0)
    return KafkaError(err, fmt::format("topic {}", topic));
  return count;
}

std::vector<std::pair<std::string, std::string>> MessageHeaders(const rd_kafka_message_t* m) {
  std::vector<std::pair<std::string, std::string>> out;
  rd_kafka_headers_t* headers = nullptr;
  // Borrowed from the message: not ours to destroy.
  if (rd_kafka_message_headers(m, &headers) != RD_KAFKA_RESP_ERR_NO_ERROR || headers == nullptr)
    return out;
  const char* name;
  const void* value;
  std::size_t size;
  for (std::size_t i = 0;
       rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
       ++i) {
    out.emplace_back(name,
                     value ? std::string(static_cast<const char*>(value), size) : std::string());
  }
  return out;
}

}  // namespace throughline::services
