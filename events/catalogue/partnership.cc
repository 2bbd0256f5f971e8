#include "events/catalogue/partnership.h"

#include <fmt/format.h>

namespace throughline::events {

void RiskAssessed::Check(const RiskAssessed& r, CheckContext& c) {
  if (!r.ogrs_2yr && !r.rosh) {
    c.Fail("", Rule::kRequired, "an assessment needs ogrs_2yr or rosh");
  }
  if (r.ogrs_band && !r.ogrs_2yr) {
    c.Fail("ogrs_band", Rule::kInconsistent, "given without ogrs_2yr");
  }
  if (r.ogrs_band && r.ogrs_2yr && *r.ogrs_band != OgrsBand(*r.ogrs_2yr)) {
    c.Fail("ogrs_band", Rule::kInconsistent,
           fmt::format("is {}, but ogrs_2yr {}% is {}", EnumName(*r.ogrs_band), *r.ogrs_2yr,
                       EnumName(OgrsBand(*r.ogrs_2yr))));
  }
}

}  // namespace throughline::events
