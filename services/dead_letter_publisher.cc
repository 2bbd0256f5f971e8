#include "services/dead_letter_publisher.h"

#include <memory>

#include <spdlog/spdlog.h>

#include "services/dead_letter.h"
#include "services/store_keys.h"

namespace throughline::services {

DeadLetterPublisher::DeadLetterPublisher(KafkaConnection connection, std::string topic,
                                         EventStore* store, IngestMetrics* metrics)
    : store_(store),
      metrics_(metrics),
      outbox_(std::move(connection), std::move(topic), "dead_letters", this) {}

std::uint64_t DeadLetterPublisher::End() { return store_->state().next_dead_letter - 1; }

std::uint64_t DeadLetterPublisher::Published() {
  marked_ = store_->state().dead_letters_published;
  return marked_;
}

std::vector<OutboxMessage> DeadLetterPublisher::Read(std::uint64_t from, std::size_t max) {
  std::vector<OutboxMessage> out;
  std::unique_ptr<rocksdb::Iterator> it(
      store_->db()->NewIterator(rocksdb::ReadOptions(), store_->family(Family::kDeadLetters)));
  for (it->Seek(U64Key(from)); it->Valid() && out.size() < max; it->Next()) {
    auto number = DecodeU64Key(it->key().ToStringView());
    if (!number)
      break;
    auto letter = DecodeDeadLetter(*number, it->value().ToStringView());
    if (!letter.ok()) {
      spdlog::error(
          "dead_letters.corrupt number={} error=\"{}\" note=\"skipped; run throughline verify\"",
          *number, letter.status().message());
      continue;
    }
    OutboxMessage m;
    m.number = *number;
    m.key = letter->key;
    m.value = std::move(letter->value);
    m.headers = DeadLetterHeaders(*letter);
    out.push_back(std::move(m));
  }
  return out;
}

void DeadLetterPublisher::MarkPublished(std::uint64_t last) {
  metrics_->dead_letters_published += last > marked_ ? last - marked_ : 0;
  marked_ = last;
  // Its own write, not the writer's state: the writer owns LogState.
  store_->db()
      ->Put(rocksdb::WriteOptions(), store_->family(Family::kMeta), kDeadLettersPublishedKey,
            Fixed64Value(last))
      .PermitUncheckedError();
}

}  // namespace throughline::services
