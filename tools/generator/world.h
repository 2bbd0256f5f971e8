// World: what a simulated lifetime sees of the simulation around it. A Lifetime drafts events
// and schedules its own next steps through it; the Generator (generator.cc) implements it,
// ordering every person's steps on one clock and turning drafts into envelopes.

#ifndef THROUGHLINE_TOOLS_GENERATOR_WORLD_H_
#define THROUGHLINE_TOOLS_GENERATOR_WORLD_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace throughline::generator {

// Which of the person's identifiers an agency puts in `data.person`. The envelope is finished
// when the event is released in time order (generator.cc): an agency's first event for the
// person always carries the PNC beside its own number, so identity resolution can join them.
enum class IdPolicy : unsigned char {
  kPolice,       // PNC, and the CRO when the person has one
  kCourt,        // PNC
  kPrison,       // prison number; PNC the first time and often after
  kProbation,    // CRN; PNC the first time and often after
  kClient,       // providers: the CRN once probation knows the person, the PNC before
  kPartnership,  // IOM, MAPPA: PNC, and the CRN once probation knows the person
  kImmigration,  // PNC and prison number
  kAltPnc,       // the duplicate PNC record of an arrest under a false name
};

// Steps of a lifetime, scheduled for a time. A step carries a token; when the state it was
// scheduled for has moved on (the person was recalled, released, sentenced again), the token
// no longer matches and the step does nothing. Cheaper and simpler than cancelling.
enum class ActionKind : std::uint8_t {
  kStart,
  kOffend,
  kCharge,
  kHearing,
  kSentence,
  kBailBreach,
  kTransfer,
  kAbsence,
  kRelease,
  kRecallRelease,
  kRemoval,
  kDeportationOrder,
  kHdcEnd,
  kLicenceBreach,
  kLicenceVary,
  kLicenceEnd,
  kOrderEnd,
  kTagViolation,
  kTagEnd,
  kIntervention,
  kRiskReview,
  kIomReview,
  kMappaReview,
  kOcgUnlink,
  kMerge,
  kUnmerge,
  kDeath,
};

struct Action {
  std::int64_t time = 0;  // UTC milliseconds
  std::uint64_t seq = 0;  // ties broken by scheduling order, for determinism
  std::uint32_t person = 0;
  ActionKind kind = ActionKind::kStart;
  std::uint32_t token = 0;
  std::int32_t arg = 0;
};

// An event before its envelope: everything but the id and `data.person`.
struct Draft {
  std::int64_t time = 0;
  std::uint32_t person = 0;
  std::string_view type;  // wire name; static storage
  int version = 1;
  const std::string* source = nullptr;  // into the Region's tables: lives for the run
  IdPolicy ids = IdPolicy::kPolice;
  // Identity corrections and the events they correct are never delayed or retracted, so that
  // they reach the engine in the order that makes them mean what they say.
  bool pinned = false;
  std::string body;  // the type's fields as a JSON object, without `person`
};

class World {
 public:
  virtual void Emit(Draft draft) = 0;
  virtual void Schedule(const Action& action) = 0;
  // The next serial for a prosecution case (URN) of a force in a year.
  virtual std::uint32_t NextCaseSerial(int force, int year) = 0;
  virtual std::uint32_t NextReferralSerial() = 0;
  virtual std::int64_t start() const = 0;  // the simulated period, [start, end)
  virtual std::int64_t end() const = 0;

 protected:
  ~World() = default;
};

}  // namespace throughline::generator

#endif  // THROUGHLINE_TOOLS_GENERATOR_WORLD_H_
