// The stored form of a person's ProjectionState (the `views` column family, docs/formats.md
// "View record"):
//
//   value := projection_version:u8 record      (events/record_codec.h, compact, ProjectionState)
//
// kProjectionVersion is the version of the fold itself as much as of the layout: bump it when
// either changes, and a data directory built by another version is rebuilt at start-up.
// Version 2 is version 1's fold in the compact layout (version 1 was the fixed one); version 3
// is version 2's layout with the fold's sentences served together and changes of basis in
// prison (docs/projections.md).

#ifndef THROUGHLINE_PROJECTIONS_PROJECTION_CODEC_H_
#define THROUGHLINE_PROJECTIONS_PROJECTION_CODEC_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "events/status.h"
#include "projections/fold.h"

namespace throughline::projections {

inline constexpr std::uint8_t kProjectionVersion = 3;

std::string EncodeProjection(const ProjectionState& state);
// NotSupported for another projection version (the views need a rebuild); Corruption when
// the bytes do not decode.
Result<ProjectionState> DecodeProjection(std::uint64_t person, std::string_view value);

// A raised alert, as the alerts family stores it: projection_version:u8 archive.
std::string EncodeAlert(const Alert& alert);
Result<Alert> DecodeAlert(std::string_view value);

// The view alone, for comparing folds byte for byte.
std::string EncodeView(const PersonView& view);

}  // namespace throughline::projections

#endif  // THROUGHLINE_PROJECTIONS_PROJECTION_CODEC_H_
