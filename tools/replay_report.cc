#include "tools/replay_report.h"

#include <map>
#include <set>
#include <simdjson.h>
#include <vector>

#include <fmt/format.h>

#include "events/json_writer.h"

namespace throughline::tools {

namespace {

using simdjson::dom::element;

constexpr std::string_view kLanes[] = {"Police",    "Courts",        "Custody",
                                       "Probation", "Interventions", "Partnership"};

// `event_type` is an `external` event's own type: it goes in the lane of its publisher.
std::size_t LaneOf(std::string_view type, std::string_view event_type) {
  if (type == "external") {
    if (event_type.starts_with("prison"))
      return 2;
    if (event_type.starts_with("probation") || event_type.find("licence") != event_type.npos ||
        event_type.starts_with("recall."))
      return 3;
    if (event_type.starts_with("intervention"))
      return 4;
    return 5;
  }
  for (std::string_view p : {"arrest.", "charge.", "out_of_court.", "bail."}) {
    if (type.starts_with(p))
      return 0;
  }
  for (std::string_view p : {"court.", "conviction.", "sentence."}) {
    if (type.starts_with(p))
      return 1;
  }
  if (type.starts_with("custody."))
    return 2;
  for (std::string_view p : {"licence.", "supervision.", "em."}) {
    if (type.starts_with(p))
      return 3;
  }
  if (type.starts_with("intervention."))
    return 4;
  return 5;
}

// A JSON value as a short piece of text: strings bare, offences by code, lists joined.
std::string Text(element e) {
  switch (e.type()) {
    case simdjson::dom::element_type::STRING:
      return std::string(std::string_view(e));
    case simdjson::dom::element_type::INT64:
      return std::to_string(int64_t(e));
    case simdjson::dom::element_type::UINT64:
      return std::to_string(uint64_t(e));
    case simdjson::dom::element_type::DOUBLE:
      return fmt::format("{}", double(e));
    case simdjson::dom::element_type::BOOL:
      return bool(e) ? "yes" : "no";
    case simdjson::dom::element_type::ARRAY: {
      std::string out;
      for (element x : e.get_array())
        out += (out.empty() ? "" : ", ") + Text(x);
      return out;
    }
    case simdjson::dom::element_type::OBJECT: {
      std::string_view code;
      if (!e["code"].get(code))
        return std::string(code);
      std::string out;
      for (auto [k, v] : e.get_object())
        out += (out.empty() ? "" : " ") + std::string(k) + " " + Text(v);
      return out;
    }
    default:
      return "";
  }
}

// The member at a dotted path, or nullopt.
std::optional<element> At(element e, std::string_view path) {
  while (!path.empty()) {
    const auto dot = path.find('.');
    element next;
    if (e.type() != simdjson::dom::element_type::OBJECT ||
        e[path.substr(0, dot)].get(next) != simdjson::SUCCESS) {
      return std::nullopt;
    }
    e = next;
    path.remove_prefix(dot == std::string_view::npos ? path.size() : dot + 1);
  }
  return e;
}

std::string TextAt(element e, std::string_view path) {
  auto v = At(e, path);
  return v ? Text(*v) : "";
}

// "2016-07-30T01:12:00Z" -> "2016-07-30 01:12".
std::string Short(std::string_view time) {
  if (time.size() < 16)
    return std::string(time);
  std::string out(time.substr(0, 16));
  out[10] = ' ';
  return out;
}

std::string EventLine(element entry) {
  element event = entry["event"];
  const std::string type = TextAt(event, "type");
  std::string fields;
  if (element data;
      !event["data"].get(data) && data.type() == simdjson::dom::element_type::OBJECT) {
    for (auto [k, v] : data.get_object()) {
      if (k == "person")
        continue;
      fields += (fields.empty() ? "" : " · ") + std::string(k) + " " + Text(v);
    }
  }
  if (fields.size() > 90)
    fields = fields.substr(0, 87) + "...";
  bool retracted = false;
  if (entry["retracted"].get(retracted) != simdjson::SUCCESS)
    retracted = false;
  return fmt::format("  {}  {:<34} {}  #{}{}", Short(TextAt(event, "time")), type, fields,
                     TextAt(entry, "sequence"), retracted ? "  [retracted]" : "");
}

struct Reply {
  simdjson::dom::parser parser;
  element root;
};

Status Parse(std::string_view json, Reply* r) {
  if (r->parser.parse(json).get(r->root) != simdjson::SUCCESS || !At(r->root, "view")) {
    return Status::InvalidArgument("not a person's replay (no \"view\"): " +
                                   std::string(json.substr(0, 200)));
  }
  return Status::OK();
}

Status ParseBoth(std::string_view before_json, std::string_view after_json, Reply* before,
                 Reply* after) {
  if (Status s = Parse(before_json, before); !s.ok())
    return s;
  return Parse(after_json, after);
}

std::string Knowledge(element root) {
  std::string out;
  if (auto t = At(root, "as_of"))
    out += "as of " + Text(*t);
  if (auto k = At(root, "as_known_at_sequence"))
    out += (out.empty() ? "" : ", ") + std::string("as known at log sequence ") + Text(*k);
  if (auto k = At(root, "as_known_at"))
    out += (out.empty() ? "" : ", ") + std::string("as known at ") + Text(*k);
  return out.empty() ? "now, as known now" : out;
}

// The scalar members a reader compares between two replays.
constexpr std::string_view kCompared[] = {
    "stage",
    "custody.prison",
    "custody.basis",
    "counts.arrests",
    "counts.charges",
    "counts.remands",
    "counts.court_cases",
    "counts.cautions",
    "counts.out_of_court_disposals",
    "counts.convictions",
    "counts.custodial_sentences",
    "counts.recalls",
    "counts.licence_breaches",
    "counts.offences_on_bail",
    "counts.offences_on_licence_or_suspended",
    "charge_to_conviction_rate",
    "sentence.kind",
    "licence.end_date",
    "licence.recalled",
    "mappa.level",
    "iom.cohort",
    "risk.ogrs_2yr",
    "risk.rosh",
    "flags.ocg_linked",
    "flags.foreign_national",
};

struct Diff {
  std::vector<element> learned, retracted;
  std::vector<std::tuple<std::string_view, std::string, std::string>> changed;
};

Diff Compare(element before, element after) {
  Diff d;
  std::set<std::string> seen, retracted_before;
  if (element t; !before["timeline"].get(t)) {
    for (element e : t.get_array()) {
      seen.insert(TextAt(e, "sequence"));
      if (auto r = At(e, "retracted"); r && bool(*r))
        retracted_before.insert(TextAt(e, "sequence"));
    }
  }
  if (element t; !after["timeline"].get(t)) {
    for (element e : t.get_array()) {
      const std::string seq = TextAt(e, "sequence");
      if (!seen.count(seq))
        d.learned.push_back(e);
      if (auto r = At(e, "retracted"); r && bool(*r) && !retracted_before.count(seq))
        d.retracted.push_back(e);
    }
  }
  for (std::string_view path : kCompared) {
    const std::string a = TextAt(before["view"], path), b = TextAt(after["view"], path);
    if (a != b)
      d.changed.emplace_back(path, a.empty() ? "-" : a, b.empty() ? "-" : b);
  }
  return d;
}

}  // namespace

Result<std::string> ReplayText(std::string_view reply_json, std::string_view reason) {
  Reply r;
  if (Status s = Parse(reply_json, &r); !s.ok())
    return s;
  element v = r.root["view"];
  std::string out = fmt::format("Person {}: {} (log position {})\n", TextAt(v, "person"),
                                Knowledge(r.root), TextAt(r.root, "log_position"));
  if (!reason.empty())
    out += fmt::format("Reason       {}\n", reason);
  auto line = [&](std::string_view label, const std::string& text) {
    if (!text.empty())
      out += fmt::format("{:<13}{}\n", label, text);
  };
  std::string ids;
  if (element list; !v["identifiers"].get(list)) {
    for (element id : list.get_array())
      ids += (ids.empty() ? "" : " · ") + TextAt(id, "kind") + " " + TextAt(id, "value");
  }
  line("Identifiers", ids);
  std::string stage = TextAt(v, "stage");
  if (At(v, "custody")) {
    stage += fmt::format(" ({}) at {} since {}", TextAt(v, "custody.basis"),
                         TextAt(v, "custody.prison"), Short(TextAt(v, "custody.since")));
  }
  line("Stage", stage);
  if (auto counts = At(v, "counts")) {
    // Wrapped to fit a terminal: lines of at most ~80 characters after the label.
    std::vector<std::string> rows(1);
    for (auto [k, n] : counts->get_object()) {
      const std::string item = std::string(k) + " " + Text(n);
      if (!rows.back().empty() && rows.back().size() + item.size() > 80)
        rows.emplace_back();
      rows.back() += (rows.back().empty() ? "" : " · ") + item;
    }
    for (std::size_t i = 0; i < rows.size(); ++i)
      line(i == 0 ? "Counts" : "", rows[i]);
    if (auto rate = TextAt(v, "charge_to_conviction_rate"); !rate.empty())
      line("", "charge-to-conviction " + rate);
  } else {
    line("Counts", "not shown to your role");
  }
  if (At(v, "sentence")) {
    line("Sentence",
         fmt::format("{} {} imposed {}{}", TextAt(v, "sentence.kind"), TextAt(v, "sentence.length"),
                     Short(TextAt(v, "sentence.imposed")).substr(0, 10),
                     At(v, "sentence.expected_release_date")
                         ? ", expected release " + TextAt(v, "sentence.expected_release_date")
                         : ""));
  }
  if (At(v, "licence")) {
    line("Licence", fmt::format("{}, {}, ends {}{}", TextAt(v, "licence.kind"),
                                TextAt(v, "licence.area"), TextAt(v, "licence.end_date"),
                                TextAt(v, "licence.recalled") == "yes" ? ", recalled" : ""));
  }
  if (At(v, "supervision")) {
    line("Supervision",
         fmt::format("{}, {}", TextAt(v, "supervision.kind"), TextAt(v, "supervision.area")));
  }
  if (At(v, "mappa")) {
    line("MAPPA", fmt::format("category {}, level {}, {}", TextAt(v, "mappa.category"),
                              TextAt(v, "mappa.level"), TextAt(v, "mappa.area")));
  }
  if (At(v, "iom"))
    line("IOM", TextAt(v, "iom.cohort"));
  if (At(v, "risk")) {
    line("Risk", fmt::format("OGRS {} ({}), RoSH {}", TextAt(v, "risk.ogrs_2yr"),
                             TextAt(v, "risk.ogrs_band"), TextAt(v, "risk.rosh")));
  }
  std::string flags;
  if (TextAt(v, "flags.ocg_linked") == "yes")
    flags += "OCG-linked (" + TextAt(v, "flags.ocg_refs") + ")";
  if (TextAt(v, "flags.foreign_national") == "yes")
    flags += std::string(flags.empty() ? "" : " · ") + "foreign national";
  if (auto s = TextAt(v, "flags.safeguarding"); !s.empty())
    flags += (flags.empty() ? "" : " · ") + std::string("safeguarding: ") + s;
  line("Flags", flags);
  if (element alerts; !r.root["alerts"].get(alerts)) {
    bool first = true;
    for (element a : alerts.get_array()) {
      line(first ? "Alerts" : "",
           fmt::format("{} {} ({}): {}", Short(TextAt(a, "event_time")), TextAt(a, "rule"),
                       TextAt(a, "agency"), TextAt(a, "message")));
      first = false;
    }
  }
  if (element timeline; !r.root["timeline"].get(timeline)) {
    std::vector<std::string> lanes(std::size(kLanes));
    std::vector<int> counts(std::size(kLanes));
    for (element e : timeline.get_array()) {
      const std::size_t lane =
          LaneOf(TextAt(e["event"], "type"), TextAt(e["event"], "data.event_type"));
      lanes[lane] += EventLine(e) + "\n";
      ++counts[lane];
    }
    for (std::size_t i = 0; i < lanes.size(); ++i) {
      if (counts[i] > 0)
        out += fmt::format("\n{} ({})\n{}", kLanes[i], counts[i], lanes[i]);
    }
  }
  return out;
}

Result<std::string> DiffText(std::string_view before_json, std::string_view after_json) {
  Reply before, after;
  if (Status s = ParseBoth(before_json, after_json, &before, &after); !s.ok())
    return s;
  const Diff d = Compare(before.root, after.root);
  std::string out = fmt::format("Person {}: what was learned between\n  {}\nand\n  {}\n\n",
                                TextAt(after.root["view"], "person"), Knowledge(before.root),
                                Knowledge(after.root));
  out += fmt::format("Learned ({})\n", d.learned.size());
  for (element e : d.learned)
    out += EventLine(e) + fmt::format("  (appended {})\n", Short(TextAt(e, "appended_at")));
  out += fmt::format("Retracted ({})\n", d.retracted.size());
  for (element e : d.retracted)
    out += EventLine(e) + "\n";
  out += fmt::format("Changed ({})\n", d.changed.size());
  for (const auto& [path, a, b] : d.changed)
    out += fmt::format("  {:<42} {} -> {}\n", path, a, b);
  return out;
}

Result<std::string> DiffJson(std::string_view before_json, std::string_view after_json) {
  Reply before, after;
  if (Status s = ParseBoth(before_json, after_json, &before, &after); !s.ok())
    return s;
  const Diff d = Compare(before.root, after.root);
  events::JsonWriter w;
  w.BeginObject();
  w.Key("learned");
  w.BeginArray();
  for (element e : d.learned)
    w.Raw(simdjson::minify(e));
  w.EndArray();
  w.Key("retracted");
  w.BeginArray();
  for (element e : d.retracted)
    w.Raw(simdjson::minify(e));
  w.EndArray();
  w.Key("changed");
  w.BeginObject();
  for (const auto& [path, a, b] : d.changed) {
    w.Key(path);
    w.BeginArray();
    w.String(a);
    w.String(b);
    w.EndArray();
  }
  w.EndObject();
  w.Key("before");
  w.Raw(before_json);
  w.Key("after");
  w.Raw(after_json);
  w.EndObject();
  return w.Take();
}

}  // namespace throughline::tools
