#include "services/kafka_outbox.h"

#include <chrono>

#include <spdlog/spdlog.h>

#include "services/thread_name.h"
#include "services/thread_priority.h"

namespace throughline::services {

namespace {

// Items published per round before waiting for Kafka's acknowledgements.
constexpr std::size_t kRoundSize = 500;

}  // namespace

KafkaOutbox::KafkaOutbox(KafkaConnection connection, std::string topic, std::string name,
                         OutboxSource* source)
    : connection_(std::move(connection)),
      topic_(std::move(topic)),
      name_(std::move(name)),
      source_(source) {}

KafkaOutbox::~KafkaOutbox() { Stop(0); }

Status KafkaOutbox::Start() {
  const KafkaSettings defaults = {
      {"client.id", "throughline-" + name_},
      {"enable.idempotence", "true"},
      {"linger.ms", "5"},
  };
  auto conf = MakeKafkaConf(connection_, defaults);
  if (!conf.ok())
    return conf.status();
  rd_kafka_conf_set_opaque(conf->get(), this);
  rd_kafka_conf_set_dr_msg_cb(conf->get(), &KafkaOutbox::DeliveryCallback);
  auto producer = MakeKafkaClient(RD_KAFKA_PRODUCER, std::move(*conf));
  if (!producer.ok())
    return producer.status();
  producer_ = std::move(*producer);
  thread_ = std::thread([this] {
    NameThisThread("tl-" + name_);
    Run();
  });
  return Status::OK();
}

void KafkaOutbox::Stop(int timeout_ms) {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    stop_timeout_ms_ = timeout_ms;
  }
  wake_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

void KafkaOutbox::Notify() {
  {
    std::lock_guard lock(mu_);
    pending_ = true;
  }
  wake_.notify_all();
}

void KafkaOutbox::DeliveryCallback(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
  auto* self = static_cast<KafkaOutbox*>(opaque);
  if (message->err) {
    ++self->failed_;
    spdlog::warn("{}.delivery_failed error=\"{}\"", self->name_, rd_kafka_err2str(message->err));
  }
}

void KafkaOutbox::Run() {
  LowerToBackgroundPriority();
  std::uint64_t published = source_->Published();
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
    const bool more = published < source_->End();
    if (stopping) {
      if (more) {
        spdlog::warn(
            "{}.unpublished count={} note=\"they stay in the store and are published at the "
            "next start\"",
            name_, source_->End() - published);
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

std::uint64_t KafkaOutbox::PublishFrom(std::uint64_t published, int flush_timeout_ms) {
  const std::uint64_t end = source_->End();
  if (published >= end)
    return published;
  failed_ = 0;
  std::uint64_t last = published;
  for (OutboxMessage& m : source_->Read(published + 1, kRoundSize)) {
    if (m.number > end)
      break;
    rd_kafka_headers_t* headers = rd_kafka_headers_new(m.headers.size() + 1);
    for (const auto& [name, value] : m.headers) {
      rd_kafka_header_add(headers, name.data(), static_cast<ssize_t>(name.size()), value.data(),
                          static_cast<ssize_t>(value.size()));
    }
    const void* key = m.key ? m.key->data() : nullptr;
    const std::size_t key_len = m.key ? m.key->size() : 0;
    rd_kafka_resp_err_t err;
    while ((err = rd_kafka_producev(producer_.get(), RD_KAFKA_V_TOPIC(topic_.c_str()),
                                    RD_KAFKA_V_KEY(const_cast<void*>(key), key_len),
                                    RD_KAFKA_V_VALUE(m.value.data(), m.value.size()),
                                    RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                    RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_END)) ==
           RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      rd_kafka_poll(producer_.get(), 100);
    }
    if (err) {
      rd_kafka_headers_destroy(headers);
      spdlog::warn("{}.produce error=\"{}\"", name_, rd_kafka_err2str(err));
      break;
    }
    last = m.number;
  }
  if (last == published) {
    // Nothing readable in the round: step over what could not be read, so it cannot block.
    const std::uint64_t stuck = std::min(end, published + kRoundSize);
    if (source_->Read(published + 1, kRoundSize).empty()) {
      source_->MarkPublished(stuck);
      return stuck;
    }
    return published;
  }
  if (rd_kafka_flush(producer_.get(), flush_timeout_ms) != RD_KAFKA_RESP_ERR_NO_ERROR ||
      failed_ > 0) {
    // Not all confirmed: publish the round again later (at-least-once).
    return published;
  }
  source_->MarkPublished(last);
  return last;
}

}  // namespace throughline::services
