#include "services/change_publisher.h"

#include <string>
#include <unordered_map>

#include "events/event_codec.h"
#include "events/json_writer.h"
#include "projections/view_json.h"
#include "services/log_changes.h"
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
  // Each person's view is rendered once however many of their changes a round holds.
  std::unordered_map<const projections::ProjectionState*, std::string> views;
  for (const LogChange& change : ReadLogChanges(*store_, from, End(), max, "changes")) {
    const events::Event& event = change.event;
    std::string* view = nullptr;
    if (change.state) {
      auto [at, added] = views.try_emplace(change.state.get());
      if (added) {
        events::JsonWriter v;
        projections::WriteViewJson(change.state->view, &v);
        at->second = v.Take();
      }
      view = &at->second;
    }
    events::JsonWriter w;
    w.BeginObject();
    w.Key("sequence");
    w.Int(static_cast<std::int64_t>(change.sequence));
    w.Key("person");
    w.Int(static_cast<std::int64_t>(change.person));
    w.Key("type");
    w.String(event.type_name());
    w.Key("time");
    w.String(events::FormatTimestamp(event.time));
    w.Key("source");
    w.String(event.source);
    w.Key("id");
    w.String(event.id);
    if (view) {
      w.Key("view");
      w.Raw(*view);
    }
    w.EndObject();
    OutboxMessage m;
    m.number = change.sequence;
    m.key = std::to_string(change.person);
    m.value = w.Take();
    m.headers.emplace_back("throughline.sequence", std::to_string(change.sequence));
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
