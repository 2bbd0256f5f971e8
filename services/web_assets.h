// The dashboard's files (services/web/), compiled into the binary so that the engine serves its
// page with nothing to install and nothing fetched from elsewhere. Generated at build time by
// cmake/embed_web_assets.cmake.

#ifndef THROUGHLINE_SERVICES_WEB_ASSETS_H_
#define THROUGHLINE_SERVICES_WEB_ASSETS_H_

#include <string_view>

namespace throughline::services {

struct WebAsset {
  std::string_view name;          // "app.js"
  std::string_view content_type;  // "text/javascript; charset=utf-8"
  std::string_view body;
};

// nullptr when there is no such file.
const WebAsset* FindWebAsset(std::string_view name);

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_WEB_ASSETS_H_
