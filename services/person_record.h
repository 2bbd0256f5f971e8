// PersonRecord: what the store knows of one engine-assigned person id (the `persons` column
// family, docs/formats.md "Person record"): every identifier that resolves to the person, and
// the merges that joined other records into it.

#ifndef THROUGHLINE_SERVICES_PERSON_RECORD_H_
#define THROUGHLINE_SERVICES_PERSON_RECORD_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "events/identifiers.h"
#include "events/status.h"

namespace throughline::services {

inline constexpr std::uint8_t kPersonRecordFormatVersion = 1;

struct PersonRecord {
  std::vector<events::Identifier> identifiers;  // sorted, no duplicates
  std::uint64_t merged_into = 0;                // not 0: this record now lives in that person
  std::vector<std::uint64_t> merged_from;       // persons merged into this one, oldest first

  bool Has(const events::Identifier& id) const;
  void Add(const events::Identifier& id);
  void Remove(const events::Identifier& id);
  bool operator==(const PersonRecord&) const = default;
};

std::string EncodePersonRecord(const PersonRecord& record);
Result<PersonRecord> DecodePersonRecord(std::uint64_t person, std::string_view value);

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_PERSON_RECORD_H_
