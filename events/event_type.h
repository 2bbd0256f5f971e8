// The event types of the catalogue, and what the catalogue says about each.
//
// EventType numbers are persisted in every stored event: never renumber or reuse one; retire a
// type by leaving a comment in its place (`/* 17 retired */`).

#ifndef THROUGHLINE_EVENTS_EVENT_TYPE_H_
#define THROUGHLINE_EVENTS_EVENT_TYPE_H_

#include <cstdint>
#include <string_view>

namespace throughline::events {

enum class EventType : std::uint16_t {
  // police
  kArrestRecorded = 1,
  kChargeRecorded = 2,
  kChargeDisposed = 3,
  kOutOfCourtDisposal = 4,
  kBailGranted = 5,
  kBailBreached = 6,
  // courts
  kCourtHearing = 7,
  kConvictionRecorded = 8,
  kSentenceImposed = 9,
  // custody
  kCustodyReceived = 10,
  kCustodyTransferred = 11,
  kCustodyReleased = 12,
  kTemporaryAbsenceStarted = 13,
  kTemporaryAbsenceEnded = 14,
  // probation
  kLicenceStarted = 15,
  kLicenceVaried = 16,
  kLicenceBreached = 17,
  kLicenceRecalled = 18,
  kLicenceEnded = 19,
  kSupervisionStarted = 20,
  kSupervisionEnded = 21,
  kEmTagFitted = 22,
  kEmTagViolation = 23,
  kEmTagRemoved = 24,
  // interventions
  kInterventionReferred = 25,
  kInterventionStarted = 26,
  kInterventionCompleted = 27,
  kInterventionExited = 28,
  // partnership
  kIomAdopted = 29,
  kIomExited = 30,
  kMappaRegistered = 31,
  kMappaLevelChanged = 32,
  kMappaDeregistered = 33,
  kRiskAssessed = 34,
  kOcgLinked = 35,
  kOcgUnlinked = 36,
  kSafeguardingConcernRaised = 37,
  kImmigrationStatusChanged = 38,
  // identity and corrections
  kIdentityMerged = 39,
  kIdentityUnmerged = 40,
  kPersonDeceased = 41,
  kEventRetracted = 42,
  // other systems
  kExternal = 43,
};

// Which part of the justice system publishes a type; groups the catalogue.
enum class Area : std::uint8_t {
  kPolice,
  kCourts,
  kCustody,
  kProbation,
  kInterventions,
  kPartnership,
  kIdentity,
  kExternal,
};

std::string_view AreaName(Area area);

// Need to know: the class of data an event carries decides which roles may read it.
// Persisted in access configuration by name; the numbers are not persisted.
enum class DataClass : std::uint8_t {
  kGeneral,       // status, location, supervision: every partner with a role
  kOffences,      // arrests, charges, courts, convictions, risk scores
  kIntelligence,  // organised crime group links: police, prisons, probation, IOM, MAPPA only
  kHealth,        // health details: those with a lawful basis
  kSafeguarding,  // safeguarding concerns: those with a lawful basis
  kUnclassified,  // kept as another system published it, unread: roles cleared for every class
};

std::string_view DataClassName(DataClass data_class);

// What the catalogue says about one (type, dataversion); each event struct has one as kInfo.
struct TypeInfo {
  EventType type;
  std::string_view name;  // wire name, e.g. "arrest.recorded"
  std::uint16_t version;  // the dataversion this struct reads
  Area area;
  DataClass data_class;
  std::string_view doc;  // one sentence for the catalogue
};

}  // namespace throughline::events

#endif  // THROUGHLINE_EVENTS_EVENT_TYPE_H_
