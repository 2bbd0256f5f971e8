#include "projections/projection_codec.h"

#include <fmt/format.h>

#include "events/record_codec.h"

namespace throughline::projections {

std::string EncodeProjection(const ProjectionState& state) {
  std::string out(1, static_cast<char>(kProjectionVersion));
  events::codec::EncodeRecord(state, &out);
  return out;
}

Result<ProjectionState> DecodeProjection(std::uint64_t person, std::string_view value) {
  if (value.empty())
    return Status::Corruption(fmt::format("view of person {} is empty", person));
  const auto version = static_cast<std::uint8_t>(value[0]);
  if (version != kProjectionVersion) {
    return Status::NotSupported(fmt::format(
        "view of person {} was built by projection version {}, this engine folds version {}: "
        "rebuild the views",
        person, version, kProjectionVersion));
  }
  ProjectionState state;
  if (Status s = events::codec::DecodeRecord(value.substr(1), &state,
                                             fmt::format("view of person {}", person));
      !s.ok()) {
    return s;
  }
  return state;
}

std::string EncodeAlert(const Alert& alert) {
  std::string out(1, static_cast<char>(kProjectionVersion));
  events::codec::EncodeRecord(alert, &out);
  return out;
}

Result<Alert> DecodeAlert(std::string_view value) {
  if (value.empty() || static_cast<std::uint8_t>(value[0]) != kProjectionVersion) {
    return Status::NotSupported("alert from another projection version: rebuild the views");
  }
  Alert alert;
  if (Status s = events::codec::DecodeRecord(value.substr(1), &alert, "alert"); !s.ok())
    return s;
  return alert;
}

std::string EncodeView(const PersonView& view) {
  std::string out;
  events::codec::EncodeRecord(view, &out);
  return out;
}

}  // namespace throughline::projections
