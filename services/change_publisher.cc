#include "services/change_publisher.h"

#include <spdlog/spdlog.h>

#include "events/event_codec.h"
#include "events/json_writer.h"
#include "projections/view_json.h"
#include "services/projection_reader.h"
#include "services/store_keys.h"

namespace throughline::services {

ChangePublisher::ChangePublisher(KafkaConnection connection, std::string topic, EventStore* store)
    : store_(store), outbox_(std::move(connection), std::move(topic), "changes", this) {}

std::uint64_t ChangePublisher::End() { return store_->state().next_sequence - 1; }

std::uint64_t ChangePublisher::Published() {
  std::string value;
  if (!store_->db()
           ->Get(rocksdb::ReadOptions(), store_->family(Family::kMeta), kChangesPublishedKey,
                 &value)
           .ok()) {
    return 0;
  }
  return DecodeFixed64Value(value).value_or(0);
}

std::vector<OutboxMessage> ChangePublisher::Read(std::uint64_t from, std::size_t max) {
  std::vector<OutboxMessage> out;
  const std::uint64_t end = End();
  for (std::uint64_t sequence = from; sequence <= end && out.size() < max; ++sequence) {
    auto record = store_->ReadRecord(sequence);
    auto event =
        record.ok() ? events::DecodeEvent(record->event) : Result<events::Event>(record.status());
    if (!event.ok()) {
      spdlog::error(
          "changes.unreadable sequence={} error=\"{}\" note=\"skipped; run "
          "throughline verify\"",
          sequence, event.status().message());
      continue;
    }
    const std::uint64_t person = store_->CurrentPerson(record->person);
    events::JsonWriter w;
    w.BeginObject();
    w.Key("sequence");
    w.Int(static_cast<std::int64_t>(sequence));
    w.Key("person");
    w.Int(static_cast<std::int64_t>(person));
    w.Key("type");
    w.String(event->type_name());
    w.Key("time");
    w.String(events::FormatTimestamp(event->time));
    w.Key("source");
    w.String(event->source);
    w.Key("id");
    w.String(event->id);
    if (auto state = ReadProjection(*store_, person); state.ok()) {
      w.Key("view");
      projections::WriteViewJson(state->view, &w);
    }
    w.EndObject();
    OutboxMessage m;
    m.number = sequence;
    m.key = std::to_string(person);
    m.value = w.Take();
    m.headers.emplace_back("throughline.sequence", std::to_string(sequence));
    out.push_back(std::move(m));
  }
  return out;
}

void ChangePublisher::MarkPublished(std::uint64_t last) {
  store_->db()
      ->Put(rocksdb::WriteOptions(), store_->family(Family::kMeta), kChangesPublishedKey,
            Fixed64Value(last))
      .PermitUncheckedError();
}

}  // namespace throughline::services
