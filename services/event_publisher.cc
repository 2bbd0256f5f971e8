#include "services/event_publisher.h"

#include <chrono>
#include <thread>

#include <fmt/format.h>

namespace throughline::services {

std::optional<std::string> KeyOf(const events::Event& event) {
  auto ids = event.person.identifiers();
  if (ids.empty())
    return std::nullopt;
  return events::ToString(ids.front());
}

Result<std::unique_ptr<EventPublisher>> EventPublisher::Open(PublishOptions options) {
  std::unique_ptr<EventPublisher> p(new EventPublisher(std::move(options)));
  const KafkaSettings producer_defaults = {
      {"client.id", "throughline-producer"},
      {"enable.idempotence", "true"},
      {"linger.ms", std::to_string(p->options_.linger_ms)},
      {"batch.num.messages", "2000"},
      // Keyed messages go to the partition of their key, as with Java clients.
      {"partitioner", "murmur2_random"},
  };
  auto conf = MakeKafkaConf(p->options_.connection, producer_defaults);
  if (!conf.ok())
    return conf.status();
  rd_kafka_conf_set_opaque(conf->get(), p.get());
  rd_kafka_conf_set_dr_msg_cb(conf->get(), &EventPublisher::DeliveryCallback);
  auto producer = MakeKafkaClient(RD_KAFKA_PRODUCER, std::move(*conf));
  if (!producer.ok())
    return producer.status();
  p->producer_ = std::move(*producer);

  if (p->options_.max_lag > 0) {
    auto lag_conf = MakeKafkaConf(p->options_.connection, {{"group.id", p->options_.group},
                                                           {"client.id", "throughline-lag"},
                                                           {"enable.auto.commit", "false"}});
    if (!lag_conf.ok())
      return lag_conf.status();
    auto reader = MakeKafkaClient(RD_KAFKA_CONSUMER, std::move(*lag_conf));
    if (!reader.ok())
      return reader.status();
    p->lag_reader_ = std::move(*reader);
  }
  return p;
}

EventPublisher::~EventPublisher() {
  if (producer_)
    rd_kafka_flush(producer_.get(), 10000);
}

void EventPublisher::DeliveryCallback(rd_kafka_t*, const rd_kafka_message_t* message,
                                      void* opaque) {
  auto* self = static_cast<EventPublisher*>(opaque);
  if (message->err) {
    if (self->failed_++ == 0)
      self->first_error_ = rd_kafka_err2str(message->err);
  }
}

Status EventPublisher::Publish(std::string_view value) {
  events::ParseResult parsed = parser_.Parse(value);
  std::optional<std::string> key;
  if (parsed.ok())
    key = KeyOf(parsed.event);
  return Publish(key ? std::optional<std::string_view>(*key) : std::nullopt, value);
}

Status EventPublisher::Publish(std::optional<std::string_view> key, std::string_view value,
                               const std::vector<std::pair<std::string, std::string>>& headers) {
  if (options_.max_lag > 0 && since_check_++ >= options_.lag_check_every) {
    since_check_ = 0;
    WaitForLag();
  }
  rd_kafka_headers_t* hdrs = nullptr;
  if (!headers.empty()) {
    hdrs = rd_kafka_headers_new(headers.size());
    for (const auto& [name, v] : headers) {
      rd_kafka_header_add(hdrs, name.data(), static_cast<ssize_t>(name.size()), v.data(),
                          static_cast<ssize_t>(v.size()));
    }
  }
  void* key_data = key ? const_cast<char*>(key->data()) : nullptr;
  const std::size_t key_size = key ? key->size() : 0;
  while (true) {
    rd_kafka_resp_err_t err;
    if (hdrs != nullptr) {
      err = rd_kafka_producev(producer_.get(), RD_KAFKA_V_TOPIC(options_.topic.c_str()),
                              RD_KAFKA_V_KEY(key_data, key_size),
                              RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(hdrs),
                              RD_KAFKA_V_END);
    } else {
      err = rd_kafka_producev(producer_.get(), RD_KAFKA_V_TOPIC(options_.topic.c_str()),
                              RD_KAFKA_V_KEY(key_data, key_size),
                              RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    }
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      rd_kafka_poll(producer_.get(), 50);
      continue;
    }
    if (err) {
      if (hdrs)
        rd_kafka_headers_destroy(hdrs);
      return KafkaError(err, fmt::format("publishing to {}", options_.topic));
    }
    break;
  }
  ++published_;
  rd_kafka_poll(producer_.get(), 0);
  return Status::OK();
}

Status EventPublisher::Flush(int timeout_ms) {
  if (auto err = rd_kafka_flush(producer_.get(), timeout_ms); err) {
    return KafkaError(err, fmt::format("waiting for {} messages to be acknowledged",
                                       rd_kafka_outq_len(producer_.get())));
  }
  if (failed_ > 0) {
    return Status::IOError(fmt::format("{} messages were not acknowledged by Kafka: {}",
                                       failed_.load(), first_error_));
  }
  return Status::OK();
}

Status EventPublisher::WaitForTopic(int timeout_ms) {
  auto partitions = PartitionCount(producer_.get(), options_.topic, timeout_ms);
  return partitions.ok() ? Status::OK() : partitions.status();
}

std::int64_t EventPublisher::GroupLag() {
  if (!lag_reader_)
    return -1;
  auto partitions = PartitionCount(producer_.get(), options_.topic, 5000);
  if (!partitions.ok())
    return -1;
  PartitionList list(rd_kafka_topic_partition_list_new(*partitions));
  for (int p = 0; p < *partitions; ++p) {
    rd_kafka_topic_partition_list_add(list.get(), options_.topic.c_str(), p);
  }
  if (rd_kafka_committed(lag_reader_.get(), list.get(), 5000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return -1;
  }
  std::int64_t lag = 0;
  for (int i = 0; i < list->cnt; ++i) {
    auto marks = QueryWatermarks(producer_.get(), options_.topic, list->elems[i].partition, 5000);
    if (!marks.ok())
      return -1;
    const std::int64_t committed =
        list->elems[i].offset >= 0 ? list->elems[i].offset : marks->first;
    lag += std::max<std::int64_t>(0, marks->second - committed);
  }
  return lag;
}

void EventPublisher::WaitForLag() {
  // Messages still in the producer's queue count too: they will add to the lag.
  rd_kafka_flush(producer_.get(), 10000);
  // Short waits are the normal course of flow control; only a long one is worth telling.
  auto last_report = std::chrono::steady_clock::now();
  while (true) {
    const std::int64_t lag = GroupLag();
    if (lag >= 0 && lag <= options_.max_lag)
      return;
    if (on_wait_ && std::chrono::steady_clock::now() - last_report > std::chrono::seconds(10)) {
      on_wait_(lag);
      last_report = std::chrono::steady_clock::now();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

Status EventPublisher::WaitUntilConsumed(std::chrono::seconds timeout,
                                         const std::function<void(std::int64_t lag)>& progress) {
  if (!lag_reader_)
    return Status::NotSupported("the consumer group's lag is not read (--max-lag 0)");
  if (Status s = Flush(); !s.ok())
    return s;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const std::int64_t lag = GroupLag();
    if (lag == 0)
      return Status::OK();
    if (std::chrono::steady_clock::now() > deadline) {
      return Status::Busy(
          fmt::format("the consumer group {} is still {} messages behind after {} s",
                      options_.group, lag, timeout.count()));
    }
    if (progress)
      progress(lag);
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}

}  // namespace throughline::services
