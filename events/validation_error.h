// ValidationError: what is wrong with an incoming message, where, and by which rule.
//
// Every rejection names the JSON path (`data.person.pnc`, `data.offences[1].code`), a stable
// rule name that programs and tests match on (`check_letter`), and a message for people that
// says what was found and what was expected (`check letter is K, expected X`). The rule names
// are part of the wire contract: dead letters carry them in a header, so never rename one. The
// numbers are persisted (flags on stored events): never renumber or reuse one.

#ifndef THROUGHLINE_EVENTS_VALIDATION_ERROR_H_
#define THROUGHLINE_EVENTS_VALIDATION_ERROR_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace throughline::events {

enum class Rule : std::uint8_t {
  kJsonSyntax = 0,           // not JSON at all
  kTooLarge = 1,             // message over the size limit
  kTooDeep = 2,              // nesting over the depth limit
  kInvalidUtf8 = 3,          // bytes that are not UTF-8
  kDuplicateKey = 4,         // the same key twice in one object
  kRequired = 5,             // a required field is missing
  kUnknownField = 6,         // a field the catalogue does not define
  kWrongType = 7,            // e.g. a string where an integer belongs
  kEnumValue = 8,            // not one of the enumeration's values
  kFormat = 9,               // an identifier or code that does not match its pattern
  kCheckLetter = 10,         // PNC, CRO or ASN check letter is wrong
  kRange = 11,               // a number or date outside its allowed range
  kTimeFormat = 12,          // a time that is not RFC 3339, or a date that is not YYYY-MM-DD
  kUnknownType = 13,         // an event type not in the catalogue
  kUnsupportedVersion = 14,  // a dataversion this engine does not know
  kSpecVersion = 15,         // a CloudEvents specversion other than 1.0
  kNoIdentifier = 16,        // a person with no identifier
  kTooLong = 17,             // a string over its length limit
  kItemCount = 18,           // an array with too few or too many items
  kInconsistent = 19,        // fields that contradict each other
  kUnknownReference = 20,    // a prison or force code not in reference data (a flag)
  kDuplicateId = 21,         // (source, id) already in the log with different content
  kInferred = 22,            // a value an adapter inferred rather than read (a flag)
};

inline constexpr Rule kLastRule = Rule::kInferred;

// The stable name of a rule, e.g. "check_letter".
std::string_view RuleName(Rule rule);

// What is wrong with one value, before it is placed at a path.
struct Problem {
  Rule rule;
  std::string message;
};

struct ValidationError {
  std::string path;     // JSON path, "" for the message as a whole
  Rule rule;            // which rule was broken
  std::string message;  // for people: what was found, what was expected

  // "data.person.pnc: check letter is K, expected X".
  std::string ToString() const;
  bool operator==(const ValidationError&) const = default;
};

using ValidationErrors = std::vector<ValidationError>;

// "a; b; c" for a log line or a dead-letter header.
std::string JoinErrors(const ValidationErrors& errors);

// A value for showing in a message: quoted, control characters escaped, cut at `max` bytes.
std::string Quote(std::string_view found, std::size_t max = 40);

// The candidate closest to `word` by edit distance, when close enough to be a likely typo;
// empty otherwise. Used for "did you mean" hints.
std::string_view ClosestMatch(std::string_view word,
                              const std::vector<std::string_view>& candidates);

}  // namespace throughline::events

#endif  // THROUGHLINE_EVENTS_VALIDATION_ERROR_H_
