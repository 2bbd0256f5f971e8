#include "events/catalogue_markdown.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "events/event.h"
#include "events/reference_data.h"
#include "events/string_rules.h"

namespace throughline::events {

namespace {

std::string_view FormatName(Format format) {
  switch (format) {
    case Format::kText:
      return "text";
    case Format::kId:
      return "id";
    case Format::kName:
      return "name";
    case Format::kPrisonCode:
      return "prison code";
    case Format::kForceCode:
      return "force code";
    case Format::kOffenceCode:
      return "offence code";
    case Format::kAsn:
      return "ASN";
    case Format::kPnc:
      return "PNC ID";
    case Format::kNoms:
      return "prison number";
    case Format::kCrn:
      return "CRN";
    case Format::kCro:
      return "CRO number";
  }
  return "string";
}

// One row per field; nested records become dotted rows (`offences[].code`).
class FieldRows {
 public:
  // `enums`, when given, collects every enumeration met: name -> "`value` = number, ...".
  explicit FieldRows(std::string* out, std::map<std::string_view, std::string>* enums = nullptr)
      : out_(out), enums_(enums) {}

  template <Record R>
  void Rows(std::string_view prefix, bool parent_required) {
    Visit<R> visit{*this, prefix, parent_required};
    R::Fields(visit);
  }

 private:
  template <class R>
  struct Visit {
    FieldRows& rows;
    std::string_view prefix;
    bool parent_required;
    template <class U, class M>
    void operator()(M U::*, const FieldSpec& spec) {
      rows.Field<M>(fmt::format("{}{}", prefix, spec.name), spec, parent_required);
    }
  };

  template <class M>
  void Field(const std::string& name, const FieldSpec& spec, bool parent_required) {
    bool required = parent_required && Required<M>(spec);
    std::string type = Type<M>(spec);
    Row(name, type, required, spec.doc);
    using Inner = typename Unwrap<M>::type;
    if constexpr (Enumeration<Inner>) {
      if (enums_ != nullptr) {
        std::vector<std::string> values;
        for (const auto& v : EnumInfo<Inner>::kValues) {
          values.push_back(fmt::format("`{}` = {}", v.name, static_cast<int>(v.value)));
        }
        (*enums_)[EnumInfo<Inner>::kWhat] = fmt::format("{}", fmt::join(values, ", "));
      }
    }
    if constexpr (Record<Inner>) {
      std::string prefix = name + (IsVector<M>() ? "[]." : ".");
      Rows<Inner>(prefix, required);
    }
  }

  void Row(std::string_view name, std::string_view type, bool required, std::string_view doc) {
    fmt::format_to(std::back_inserter(*out_), "| `{}` | {} | {} | {} |\n", name, type,
                   required ? "yes" : "no", doc);
  }

  template <class M>
  struct Unwrap {
    using type = M;
  };
  template <class X>
  struct Unwrap<std::optional<X>> {
    using type = X;
  };
  template <class X>
  struct Unwrap<std::vector<X>> {
    using type = X;
  };

  template <class M>
  static constexpr bool IsVector() {
    return !std::is_same_v<typename Unwrap<M>::type, M> &&
           std::is_same_v<M, std::vector<typename Unwrap<M>::type>>;
  }

  template <class M>
  static bool Required(const FieldSpec& spec) {
    if constexpr (std::is_same_v<M, std::optional<typename Unwrap<M>::type>> &&
                  !std::is_same_v<typename Unwrap<M>::type, M>) {
      return false;
    } else if constexpr (IsVector<M>()) {
      return spec.min_items > 0;
    } else {
      return true;
    }
  }

  template <class M>
  static std::string Type(const FieldSpec& spec) {
    using X = typename Unwrap<M>::type;
    if constexpr (IsVector<M>()) {
      std::string items = Scalar<X>(spec);
      return fmt::format("array of {}, {}..{} items", items, spec.min_items, spec.max_items);
    } else {
      return Scalar<X>(spec);
    }
  }

  template <class X>
  static std::string Scalar(const FieldSpec& spec) {
    if constexpr (std::is_same_v<X, std::string>) {
      return fmt::format("{} (string, up to {} bytes)", FormatName(spec.format),
                         MaxLength(spec.format));
    } else if constexpr (std::is_same_v<X, std::int32_t>) {
      return fmt::format("integer {}..{}", spec.min, spec.max);
    } else if constexpr (std::is_same_v<X, Date>) {
      return "date, YYYY-MM-DD";
    } else if constexpr (std::is_same_v<X, Timestamp>) {
      return "time, RFC 3339";
    } else if constexpr (std::is_same_v<X, Period>) {
      return "period, ISO 8601 (P2Y6M)";
    } else if constexpr (Enumeration<X>) {
      std::vector<std::string> names;
      for (auto name : EnumNames<X>())
        names.push_back(fmt::format("`{}`", name));
      return fmt::format("one of {}", fmt::join(names, ", "));
    } else if constexpr (Record<X>) {
      return "object";
    } else {
      static_assert(sizeof(X) == 0, "no catalogue type name for this member type");
    }
  }

  std::string* out_;
  std::map<std::string_view, std::string>* enums_;
};

constexpr std::string_view kHeader = R"(# Event catalogue

Generated by `throughline catalogue` from the field lists in `events/catalogue/`; do not edit by
hand (`tools/test.sh` fails when this file and the code disagree).

## The envelope

Every event is one CloudEvents 1.0 JSON object in structured mode, one per Kafka message:

| attribute | type | required | description |
| --- | --- | --- | --- |
| `specversion` | `"1.0"` | yes | CloudEvents version |
| `id` | id (string, up to 200 bytes) | yes | unique per `source`; (`source`, `id`) is the idempotency key |
| `source` | id (string, up to 200 bytes) | yes | the publishing system, e.g. `police/dyfed-powys/custody` |
| `type` | one of the types below | yes | what happened |
| `time` | time, RFC 3339 | yes | when it happened in the world; any offset, stored as UTC milliseconds |
| `dataversion` | integer | no | version of `data` for this type; 1 when absent |
| `datacontenttype` | `application/json` | no | |
| `subject`, `dataschema`, extensions | string, integer or boolean | no | kept as text with the event (names: a-z, 0-9, up to 20) |
| `data` | object | yes | `person` plus the type's fields below |
| `data.person` | object | yes | the person's identifiers: at least one of the four |
)";

constexpr std::string_view kRules = R"(
### Rules every message meets

- At most 1 MiB, nesting at most 32 levels, valid UTF-8, no key twice in one object.
- No field the catalogue does not list inside `data` (a misspelt field is an error, with a hint).
- Strings are never empty and carry no control characters (free text may hold line breaks).
  `null` for an optional field means absent.
- Identifiers are checked and stored in one normal form: PNC `YYYY/NNNNNNNC` (a short
  `YY/NNNNNNNC` is widened using the event's year), CRO `NNNNNN/YYC`, prison number `A1234BC`,
  CRN `X123456`, ASN without slashes. PNC, CRO and ASN check letters use the alphabet
  `ZABCDEFGHJKLMNPQRTUVWXY`, letter = alphabet[N mod 23].
- Prison codes and force codes not in the reference data are accepted and flagged on the event
  (rule `unknown_reference`), never rejected.
- Every rejection names the JSON path, the rule and what was found:
  `data.person.pnc: check letter is K, expected X`.
)";

void Table(std::string* out, std::map<std::string_view, std::string>* enums,
           void (*rows)(FieldRows&)) {
  *out += "| field | type | required | description |\n| --- | --- | --- | --- |\n";
  FieldRows r(out, enums);
  rows(r);
}

template <class T>
void TypeRows(FieldRows& rows) {
  rows.Rows<T>("", true);
}

struct TypeEntry {
  const TypeInfo* info;
  void (*rows)(FieldRows&);
};

}  // namespace

std::string CatalogueMarkdown() {
  std::string out(kHeader);
  {
    FieldRows rows(&out);
    rows.Rows<Person>("data.person.", true);
  }
  out += kRules;

  std::vector<TypeEntry> entries;
  ForEachEventStruct([&](auto tag) {
    using T = typename decltype(tag)::type;
    entries.push_back({&T::kInfo, &TypeRows<T>});
  });
  // Catalogue order, newest version of a type first.
  std::stable_sort(entries.begin(), entries.end(), [](const TypeEntry& a, const TypeEntry& b) {
    if (a.info->type != b.info->type)
      return a.info->type < b.info->type;
    return a.info->version > b.info->version;
  });

  out += "\n## Types\n\n| area | types |\n| --- | --- |\n";
  std::map<Area, std::vector<std::string>> by_area;
  for (const auto* info : CurrentTypeInfos()) {
    by_area[info->area].push_back(fmt::format("`{}`", info->name));
  }
  for (const auto& [area, names] : by_area) {
    fmt::format_to(std::back_inserter(out), "| {} | {} |\n", AreaName(area),
                   fmt::join(names, ", "));
  }

  std::map<std::string_view, std::string> enums;
  std::optional<Area> area;
  std::optional<EventType> type;
  for (const auto& entry : entries) {
    const TypeInfo& info = *entry.info;
    if (area != info.area) {
      fmt::format_to(std::back_inserter(out), "\n## {}\n", AreaName(info.area));
      area = info.area;
    }
    if (type != info.type) {
      fmt::format_to(std::back_inserter(out),
                     "\n### `{}`\n\n{} Current dataversion: {}. Data class: {}.\n\n", info.name,
                     info.doc, info.version, DataClassName(info.data_class));
      type = info.type;
    } else {
      fmt::format_to(std::back_inserter(out),
                     "\nDataversion {} (still accepted; upcast to the current version on "
                     "read):\n\n",
                     info.version);
    }
    Table(&out, &enums, entry.rows);
  }

  out +=
      "\n## Persisted numbers\n\nThe binary form of a stored event (docs/formats.md) holds "
      "these numbers, not the names. They are never changed or reused.\n\n"
      "| type | number |\n| --- | --- |\n";
  for (const auto* info : CurrentTypeInfos()) {
    fmt::format_to(std::back_inserter(out), "| `{}` | {} |\n", info->name,
                   static_cast<int>(info->type));
  }
  out += "\n| enumeration | values |\n| --- | --- |\n";
  for (const auto& [what, values] : enums) {
    fmt::format_to(std::back_inserter(out), "| {} | {} |\n", what, values);
  }
  std::vector<std::string> rules;
  for (int r = 0; r <= static_cast<int>(kLastRule); ++r) {
    rules.push_back(fmt::format("`{}` = {}", RuleName(static_cast<Rule>(r)), r));
  }
  fmt::format_to(std::back_inserter(out), "| validation rule (flags) | {} |\n",
                 fmt::join(rules, ", "));

  out += "\n## Reference data\n\n### Prisons in Wales\n\n| code | prison |\n| --- | --- |\n";
  for (const auto& p : AllPrisons()) {
    if (p.nation == Nation::kWales) {
      fmt::format_to(std::back_inserter(out), "| `{}` | {} |\n", p.code, p.name);
    }
  }
  fmt::format_to(std::back_inserter(out),
                 "\n{} prisons of England and Wales are known in all (`events/reference_data.cc`)."
                 "\n\n### Police forces\n\n| code | force |\n| --- | --- |\n",
                 AllPrisons().size());
  for (const auto& f : AllPoliceForces()) {
    fmt::format_to(std::back_inserter(out), "| `{}` | {} |\n", f.code, f.name);
  }
  return out;
}

}  // namespace throughline::events
