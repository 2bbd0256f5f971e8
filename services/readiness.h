// Readiness: whether the engine should be sent traffic (GET /readyz), and if not, why.

#ifndef THROUGHLINE_SERVICES_READINESS_H_
#define THROUGHLINE_SERVICES_READINESS_H_

#include <string>
#include <vector>

namespace throughline::services {

struct Readiness {
  bool ready = false;
  std::vector<std::string> reasons;  // why not, for people
};

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_READINESS_H_
