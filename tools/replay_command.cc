// `throughline replay`: for investigations and serious case reviews, a person's record as it
// stood on a date and as it was known at a moment, with the reason, audited; or what was learned
// between two moments (--diff). Offline on a data directory no engine holds, or online through
// a running engine's API (which audits it there).
//
// `throughline replay --to-topic T --from-seq A --to-seq B [--rate N]` re-publishes a slice of
// the log, as published, for a downstream system to rebuild from.

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <thread>
#include <unistd.h>

#include <fmt/format.h>

#include "events/event_codec.h"
#include "events/event_json.h"
#include "projections/as_of.h"
#include "services/audit_log.h"
#include "services/clock.h"
#include "services/event_publisher.h"
#include "services/event_store.h"
#include "services/http_client.h"
#include "services/http_target.h"
#include "services/person_ref.h"
#include "services/person_reply.h"
#include "tools/commands.h"
#include "tools/kafka_options.h"
#include "tools/progress.h"
#include "tools/replay_report.h"
#include "tools/store_reader.h"

namespace throughline::tools {

namespace {

struct ReplayFlags {
  std::string data;
  std::string api;
  std::string token;
  std::string person;
  std::string as_of;
  std::string as_known_at;
  std::string diff;
  std::string reason;
  std::string format = "text";
  // Re-publishing a slice of the log.
  std::string to_topic;
  std::uint64_t from_seq = 1;
  std::uint64_t to_seq = 0;
  double rate = 0;
  KafkaFlags kafka;
};

int Fail(const Status& s) {
  fmt::print(stderr, "throughline replay: {}\n", s.message());
  return s.IsNotFound() ? 1 : 2;
}

// Percent-encodes for a path segment or query value.
std::string Encode(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == ':')
      out += static_cast<char>(c);
    else
      out += fmt::format("%{:02X}", c);
  }
  return out;
}

// One replay's JSON, from the data directory (`store`) or the API.
Result<std::string> ReplayJson(const ReplayFlags& flags, services::EventStore* store,
                               const std::string& as_known_at) {
  if (store == nullptr) {
    std::string address = flags.api;
    for (std::string_view scheme : {"http://", "https://"}) {
      if (address.starts_with(scheme))
        address = address.substr(scheme.size());
    }
    if (flags.api.starts_with("https://"))
      return Status::NotSupported("--api: https is not supported here yet; use http on loopback");
    while (!address.empty() && address.back() == '/')
      address.pop_back();
    std::string target = "/v1/persons/" + Encode(flags.person) + "/timeline?";
    if (!flags.as_of.empty())
      target += "as_of=" + Encode(flags.as_of) + "&";
    if (!as_known_at.empty())
      target += "as_known_at=" + Encode(as_known_at) + "&";
    auto r = services::HttpGet(
        address, target,
        {{"Authorization", "Bearer " + flags.token}, {"X-Reason", Encode(flags.reason)}});
    if (r.status == 0)
      return Status::IOError(fmt::format("cannot reach {}: {}", flags.api, r.error));
    if (r.status != 200) {
      const std::string what = fmt::format("the API answered {}: {}", r.status, r.body);
      return r.status == 404 ? Status::NotFound(what) : Status::InvalidArgument(what);
    }
    return r.body;
  }
  services::PersonQuery query;
  auto person = services::FindPersonByRef(*store, flags.person);
  if (!person.ok())
    return person.status();
  query.person = *person;
  query.timeline = true;
  if (!flags.as_of.empty()) {
    auto t = projections::ParseAsOf(flags.as_of);
    if (!t.ok())
      return Status::InvalidArgument("--as-of: " + t.status().message());
    query.as_of = *t;
  }
  if (!as_known_at.empty()) {
    auto k = projections::ParseKnowledge(as_known_at);
    if (!k.ok())
      return Status::InvalidArgument("--as-known-at: " + k.status().message());
    query.known = *k;
  }
  auto reply = services::ReadPerson(*store, query, services::SystemClock().Now());
  if (!reply.ok())
    return reply.status();
  // Audited as the API would: whoever runs the command, on this machine, with the reason.
  services::AuditRecord a;
  a.at = services::SystemClock().Now();
  a.role = "command-line";
  const char* user = std::getenv("USER");
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  a.agency = fmt::format("{}@{}", user ? user : "unknown", host);
  a.action = "replay";
  a.target = flags.person;
  a.person = *person;
  a.as_of = query.as_of;
  a.as_known_at = as_known_at;
  a.reason = flags.reason;
  a.status = 200;
  if (Status s = services::AuditLog(store).Append(a); !s.ok())
    return Status::IOError("the replay could not be audited, so it is not shown: " + s.message());
  events::JsonWriter w;
  services::WritePersonReplyJson(*reply, services::kAllClasses, &w);
  return w.Take();
}

int PersonReplay(const ReplayFlags& flags) {
  if (flags.person.empty())
    return Fail(Status::InvalidArgument("--person: whose record (pnc:..., noms:..., id:N)"));
  if (flags.reason.empty()) {
    return Fail(Status::InvalidArgument(
        "--reason: why (e.g. \"SCR 2026/04\"); it is kept in the audit log"));
  }
  if (flags.format != "text" && flags.format != "json")
    return Fail(Status::InvalidArgument("--format: text or json"));
  if (!flags.diff.empty() && flags.as_known_at.empty()) {
    return Fail(Status::InvalidArgument(
        "--diff compares --as-known-at with it: give both (e.g. --as-known-at 2019-02-01 --diff "
        "2019-06-01)"));
  }
  if (flags.data.empty() == flags.api.empty())
    return Fail(Status::InvalidArgument("say where: --data DIR, or --api http://HOST:PORT"));
  ReplayFlags f = flags;
  if (!f.api.empty() && f.token.empty()) {
    const char* env = std::getenv("THROUGHLINE_TOKEN");
    if (env == nullptr)
      return Fail(Status::InvalidArgument("--api needs --token (or THROUGHLINE_TOKEN)"));
    f.token = env;
  }
  std::unique_ptr<services::EventStore> store;
  if (!f.data.empty()) {
    // Read-write, so that the replay can be audited: a directory an engine holds is replayed
    // through that engine.
    auto opened = services::EventStore::Open(f.data, services::StoreOptions{});
    if (!opened.ok()) {
      if (opened.status().IsBusy()) {
        return Fail(Status::Busy(fmt::format(
            "an engine holds {}: replay through it, with --api http://$(cat {}/http.address) "
            "--token TOKEN",
            f.data, f.data)));
      }
      return Fail(opened.status());
    }
    store = std::move(*opened);
  }
  auto first = ReplayJson(f, store.get(), f.as_known_at);
  if (!first.ok())
    return Fail(first.status());
  if (f.diff.empty()) {
    if (f.format == "json") {
      std::cout << *first << '\n';
      return 0;
    }
    auto text = ReplayText(*first, f.reason);
    if (!text.ok())
      return Fail(text.status());
    std::cout << *text;
    return 0;
  }
  auto second = ReplayJson(f, store.get(), f.diff);
  if (!second.ok())
    return Fail(second.status());
  auto out = f.format == "json" ? DiffJson(*first, *second) : DiffText(*first, *second);
  if (!out.ok())
    return Fail(out.status());
  std::cout << *out << (f.format == "json" ? "\n" : "");
  return 0;
}

int TopicReplay(const ReplayFlags& flags) {
  if (flags.data.empty())
    return Fail(Status::InvalidArgument("--to-topic reads the log of --data DIR"));
  auto store = OpenStoreToRead(flags.data);
  if (!store.ok())
    return Fail(store.status());
  const std::uint64_t last = (*store)->state().next_sequence - 1;
  const std::uint64_t to = flags.to_seq == 0 ? last : std::min(flags.to_seq, last);
  if (flags.from_seq < 1 || flags.from_seq > to) {
    return Fail(Status::InvalidArgument(
        fmt::format("--from-seq {} --to-seq {}: the log holds 1 to {}", flags.from_seq, to, last)));
  }
  auto connection = ResolveKafka(flags.kafka, flags.data);
  if (!connection.ok())
    return Fail(connection.status());
  services::PublishOptions publish;
  publish.connection = *connection;
  publish.topic = flags.to_topic;
  publish.max_lag = 0;  // a downstream system's topic: nobody's lag to wait on
  auto publisher = services::EventPublisher::Open(publish);
  if (!publisher.ok())
    return Fail(publisher.status());
  Progress progress("events");
  const auto start = std::chrono::steady_clock::now();
  std::uint64_t sent = 0;
  for (std::uint64_t seq = flags.from_seq; seq <= to; ++seq) {
    auto record = (*store)->ReadRecord(seq);
    auto event = record.ok() ? events::DecodeStoredEvent(record->event)
                             : Result<events::Event>(record.status());
    if (!event.ok())
      return Fail(event.status());
    if (Status s = (*publisher)->Publish(events::EventToJson(*event)); !s.ok())
      return Fail(s);
    ++sent;
    if (flags.rate > 0) {
      // Paced: never ahead of sent / rate seconds since the start.
      const auto due = start + std::chrono::duration<double>(sent / flags.rate);
      std::this_thread::sleep_until(
          std::chrono::time_point_cast<std::chrono::steady_clock::duration>(due));
    }
    if (sent % 512 == 0)
      progress.Update(static_cast<double>(sent) / static_cast<double>(to - flags.from_seq + 1),
                      sent);
  }
  Status flushed = (*publisher)->Flush();
  progress.Finish();
  if (!flushed.ok())
    return Fail(flushed);
  fmt::print(stderr, "republished records {} to {} ({} events) to {} in {:.1f} s ({}/s)\n",
             flags.from_seq, to, Grouped(sent), flags.to_topic, progress.Seconds(),
             Grouped(static_cast<std::uint64_t>(progress.Rate(sent))));
  return 0;
}

}  // namespace

void AddReplayCommand(CLI::App& app) {
  auto flags = std::make_shared<ReplayFlags>();
  auto* cmd = app.add_subcommand(
      "replay",
      "A person's record as it stood and as it was known (audited, with a reason); or "
      "re-publish a slice of the log (--to-topic)");
  cmd->add_option("--person", flags->person, "pnc:..., noms:..., crn:..., cro:... or id:N");
  cmd->add_option("--data", flags->data, "Data directory (no engine running on it)");
  cmd->add_option("--api", flags->api, "A running engine's API, http://HOST:PORT");
  cmd->add_option("--token", flags->token, "Bearer token for --api (or THROUGHLINE_TOKEN)");
  cmd->add_option("--as-of", flags->as_of, "As the person stood then: a date or an RFC 3339 time");
  cmd->add_option("--as-known-at", flags->as_known_at,
                  "As it was known then: a log sequence, a date or a time");
  cmd->add_option("--diff", flags->diff,
                  "Show what was learned between --as-known-at and this (a sequence or time)");
  cmd->add_option("--reason", flags->reason, "Why: kept in the audit log (required)");
  cmd->add_option("--format", flags->format, "text or json")->capture_default_str();
  cmd->add_option("--to-topic", flags->to_topic, "Re-publish records of the log to this topic");
  cmd->add_option("--from-seq", flags->from_seq, "First record to re-publish")
      ->capture_default_str();
  cmd->add_option("--to-seq", flags->to_seq, "Last record to re-publish (0: the end)")
      ->capture_default_str();
  cmd->add_option("--rate", flags->rate, "Events a second at most (0: as fast as it goes)")
      ->capture_default_str();
  AddKafkaFlags(cmd, &flags->kafka, "Kafka for --to-topic (default: DATA/kafka.bootstrap)");
  cmd->callback([flags] {
    throw CLI::RuntimeError(flags->to_topic.empty() ? PersonReplay(*flags) : TopicReplay(*flags));
  });
}

}  // namespace throughline::tools
