#include "events/event_type.h"

namespace throughline::events {

std::string_view AreaName(Area area) {
  switch (area) {
    case Area::kPolice:
      return "police";
    case Area::kCourts:
      return "courts";
    case Area::kCustody:
      return "custody";
    case Area::kProbation:
      return "probation";
    case Area::kInterventions:
      return "interventions";
    case Area::kPartnership:
      return "partnership";
    case Area::kIdentity:
      return "identity and corrections";
    case Area::kExternal:
      return "other systems";
  }
  return "unknown";
}

std::string_view DataClassName(DataClass data_class) {
  switch (data_class) {
    case DataClass::kGeneral:
      return "general";
    case DataClass::kOffences:
      return "offences";
    case DataClass::kIntelligence:
      return "intelligence";
    case DataClass::kHealth:
      return "health";
    case DataClass::kSafeguarding:
      return "safeguarding";
    case DataClass::kUnclassified:
      return "unclassified";
  }
  return "unknown";
}

}  // namespace throughline::events
