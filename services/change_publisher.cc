#include "services/change_publisher.h"

#include <optional>
#include <string>
#include <unordered_map>

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
  // One round reads its records in one MultiGet, and each person's view once however many of
  // their events it holds: read one at a time, this cost the engine as much CPU as ingest.
  std::vector<OutboxMessage> out;
  const std::uint64_t end = End();
  std::vector<std::uint64_t> sequences;
  for (std::uint64_t sequence = from; sequence <= end && sequences.size() < max; ++sequence)
    sequences.push_back(sequence);
  std::vector<std::optional<LogRecord>> records(sequences.size());
  if (auto all = store_->ReadRecords(sequences); all.ok()) {
    for (std::size_t i = 0; i < sequences.size(); ++i)
      records[i] = std::move((*all)[i]);
  } else {
    // Some record is unreadable: one at a time, so that only it is skipped.
    for (std::size_t i = 0; i < sequences.size(); ++i) {
      if (auto record = store_->ReadRecord(sequences[i]); record.ok())
        records[i] = std::move(*record);
    }
  }
  std::unordered_map<std::uint64_t, std::uint64_t> current;  // record's person -> current one
  std::unordered_map<std::uint64_t, std::string> views;      // current person -> view JSON
  for (std::size_t i = 0; i < sequences.size(); ++i) {
    const std::uint64_t sequence = sequences[i];
    auto event = records[i] ? events::DecodeEvent(records[i]->event)
                            : Result<events::Event>(Status::NotFound("unreadable record"));
    if (!event.ok()) {
      spdlog::error(
          "changes.unreadable sequence={} error=\"{}\" note=\"skipped; run "
          "throughline verify\"",
          sequence, event.status().message());
      continue;
    }
    auto [at, added] = current.try_emplace(records[i]->person, 0);
    if (added)
      at->second = store_->CurrentPerson(records[i]->person);
    const std::uint64_t person = at->second;
    auto [view, rendered] = views.try_emplace(person);
    if (rendered) {
      if (auto state = ReadProjection(*store_, person); state.ok()) {
        events::JsonWriter v;
        projections::WriteViewJson(state->view, &v);
        view->second = v.Take();
      }
    }
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
    if (!view->second.empty()) {
      w.Key("view");
      w.Raw(view->second);
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
