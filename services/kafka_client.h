// Small RAII wrappers over the librdkafka C API, and how the engine configures its clients.
//
// The C API is used directly (not rdkafkacpp) because the embedded cluster (rdkafka_mock.h) is
// C, and one style keeps ownership obvious: every handle here is a unique_ptr with its deleter.

#ifndef THROUGHLINE_SERVICES_KAFKA_CLIENT_H_
#define THROUGHLINE_SERVICES_KAFKA_CLIENT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <librdkafka/rdkafka.h>

#include "events/status.h"

namespace throughline::services {

struct KafkaDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
  void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
  void operator()(rd_kafka_topic_partition_list_t* list) const {
    rd_kafka_topic_partition_list_destroy(list);
  }
  void operator()(rd_kafka_message_t* message) const { rd_kafka_message_destroy(message); }
  void operator()(rd_kafka_headers_t* headers) const { rd_kafka_headers_destroy(headers); }
  void operator()(rd_kafka_error_t* error) const { rd_kafka_error_destroy(error); }
};

using KafkaHandle = std::unique_ptr<rd_kafka_t, KafkaDeleter>;
using KafkaConf = std::unique_ptr<rd_kafka_conf_t, KafkaDeleter>;
using PartitionList = std::unique_ptr<rd_kafka_topic_partition_list_t, KafkaDeleter>;
using KafkaMessage = std::unique_ptr<rd_kafka_message_t, KafkaDeleter>;

using KafkaSettings = std::vector<std::pair<std::string, std::string>>;

// Where and how to reach Kafka.
struct KafkaConnection {
  // Bootstrap servers, host:port[,host:port...].
  std::string bootstrap;
  // Passed to librdkafka as is, after the engine's own settings (so they win): SASL, TLS and
  // tuning. Default: none
  KafkaSettings settings;
};

// A configuration with bootstrap.servers, `defaults`, then the connection's own settings.
Result<KafkaConf> MakeKafkaConf(const KafkaConnection& connection, const KafkaSettings& defaults);

// Creates a client from a configuration (which it takes ownership of).
Result<KafkaHandle> MakeKafkaClient(rd_kafka_type_t type, KafkaConf conf);

// "key=value" -> (key, value); InvalidArgument naming the setting otherwise.
Result<std::pair<std::string, std::string>> ParseKafkaSetting(const std::string& text);

// Low and high watermarks of one partition.
Result<std::pair<std::int64_t, std::int64_t>> QueryWatermarks(rd_kafka_t* rk,
                                                              const std::string& topic,
                                                              std::int32_t partition,
                                                              int timeout_ms);

// The partition count of `topic`, from the cluster's metadata.
Result<int> PartitionCount(rd_kafka_t* rk, const std::string& topic, int timeout_ms);

Status KafkaError(rd_kafka_resp_err_t err, std::string_view what);

// A message's headers, in order; a header without a value has an empty one.
std::vector<std::pair<std::string, std::string>> MessageHeaders(const rd_kafka_message_t* m);

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_KAFKA_CLIENT_H_
