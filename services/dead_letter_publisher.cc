#include "services/dead_letter_publisher.h"

#include <chrono>

#include <spdlog/spdlog.h>

#include "services/dead_letter.h"
#include "services/store_keys.h"

namespace throughline::services {

namespace {

// Letters published per round before waiting for Kafka's acknowledgements.
constexpr int kRoundSize = 500;

}  // namespace

DeadLetterPublisher::DeadLetterPublisher(KafkaConnection connection, std::string topic,
                                         EventStore* store, IngestMetrics* metrics)
    : connection_(std::move(connection)),
      topic_(std::move(topic)),
      store_(store),
      metrics_(metrics) {}

DeadLetterPublisher::~DeadLetterPublisher() { Stop(0); }

Status DeadLetterPublisher::Start() {
  const KafkaSettings defaults = {
      {"client.id", "throughline-dead-letters"},
      {"enable.idempotence", "true"},
      {"linger.ms", "5"},
  };
  auto conf = MakeKafkaConf(connection_, defaults);
  if (!conf.ok())
    return conf.status();
  rd_kafka_conf_set_opaque(conf->get(), this);
  rd_kafka_conf_set_dr_msg_cb(conf->get(), &DeadLetterPublisher::DeliveryCallback);
  auto producer = MakeKafkaClient(RD_KAFKA_PRODUCER, std::move(*conf));
  if (!producer.ok())
    return producer.status();
  producer_ = std::move(*producer);
  thread_ = std::thread([this] { Run(); });
  return Status::OK();
}

void DeadLetterPublisher::Stop(int timeout_ms) {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    stop_timeout_ms_ = timeout_ms;
  }
  wake_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

void DeadLetterPublisher::Notify() {
  {
    std::lock_guard lock(mu_);
    pending_ = true;
  }
  wake_.notify_all();
}

void DeadLetterPublisher::DeliveryCallback(rd_kafka_t*, const rd_kafka_message_t* message,
                                           void* opaque) {
  auto* self = static_cast<DeadLetterPublisher*>(opaque);
  if (message->err) {
    ++self->failed_;
    spdlog::warn("dead_letters.delivery_failed error=\"{}\"", rd_kafka_err2str(message->err));
  }
}

void DeadLetterPublisher::Run() {
  std::uint64_t published = store_->state().dead_letters_published;
  int backoff_ms = 100;
  while (true) {
    bool stopping;
    {
      std::unique_lock lock(mu_);
      wake_.wait_for(lock, std::chrono::milliseconds(backoff_ms),
                     [&] { return pending_ || stop_; });
      pending_ = false;
      stopping = stop_;
    }
    const std::uint64_t before = published;
    published = PublishFrom(published, stopping ? stop_timeout_ms_ : 10000);
    const bool more = published < store_->state().next_dead_letter - 1;
    if (stopping) {
      if (more) {
        spdlog::warn(
            "dead_letters.unpublished count={} note=\"they stay in the store and are "
            "published at the next start\"",
            store_->state().next_dead_letter - 1 - published);
      }
      return;
    }
    // Progress: go again at once if there is more; no progress: back off (Kafka is down).
    if (published > before || !more) {
      backoff_ms = more ? 0 : 1000;
    } else {
      backoff_ms = std::min(backoff_ms * 2 + 100, 5000);
    }
  }
}

std::uint64_t DeadLetterPublisher::PublishFrom(std::uint64_t published, int flush_timeout_ms) {
  const std::uint64_t end = store_->state().next_dead_letter;  // exclusive
  if (published + 1 >= end)
    return published;
  std::unique_ptr<rocksdb::Iterator> it(
      store_->db()->NewIterator(rocksdb::ReadOptions(), store_->family(Family::kDeadLetters)));
  failed_ = 0;
  std::uint64_t last = published;
  int sent = 0;
  for (it->Seek(U64Key(published + 1)); it->Valid() && sent < kRoundSize; it->Next()) {
    auto number = DecodeU64Key(it->key().ToStringView());
    if (!number || *number >= end)
      break;
    auto letter = DecodeDeadLetter(*number, it->value().ToStringView());
    if (!letter.ok()) {
      spdlog::error(
          "dead_letters.corrupt number={} error=\"{}\" note=\"skipped; run throughline "
          "verify\"",
          *number, letter.status().message());
      last = *number;
      continue;
    }
    rd_kafka_headers_t* headers = rd_kafka_headers_new(16);
    for (const auto& [name, value] : DeadLetterHeaders(*letter)) {
      rd_kafka_header_add(headers, name.data(), static_cast<ssize_t>(name.size()), value.data(),
                          static_cast<ssize_t>(value.size()));
    }
    const void* key = letter->key ? letter->key->data() : nullptr;
    const std::size_t key_len = letter->key ? letter->key->size() : 0;
    rd_kafka_resp_err_t err;
    while ((err = rd_kafka_producev(producer_.get(), RD_KAFKA_V_TOPIC(topic_.c_str()),
                                    RD_KAFKA_V_KEY(const_cast<void*>(key), key_len),
                                    RD_KAFKA_V_VALUE(letter->value.data(), letter->value.size()),
                                    RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                    RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_END)) ==
           RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      rd_kafka_poll(producer_.get(), 100);
    }
    if (err) {
      rd_kafka_headers_destroy(headers);
      spdlog::warn("dead_letters.produce error=\"{}\"", rd_kafka_err2str(err));
      break;
    }
    last = *number;
    ++sent;
  }
  if (last == published)
    return published;
  if (rd_kafka_flush(producer_.get(), flush_timeout_ms) != RD_KAFKA_RESP_ERR_NO_ERROR ||
      failed_ > 0) {
    // Not all confirmed: publish the round again later (at-least-once).
    return published;
  }
  metrics_->dead_letters_published += last - published;
  rocksdb::WriteOptions write;
  store_->db()->Put(write, store_->family(Family::kMeta), kDeadLettersPublishedKey,
                    Fixed64Value(last));
  return last;
}

}  // namespace throughline::services
