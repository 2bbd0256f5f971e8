// The event catalogue as Markdown, generated from the same field lists the parser reads:
// `throughline catalogue` prints it and docs/events.md is its output, so the documentation
// cannot drift from the code (a test compares them).

#ifndef THROUGHLINE_EVENTS_CATALOGUE_MARKDOWN_H_
#define THROUGHLINE_EVENTS_CATALOGUE_MARKDOWN_H_

#include <string>

namespace throughline::events {

std::string CatalogueMarkdown();

}  // namespace throughline::events

#endif  // THROUGHLINE_EVENTS_CATALOGUE_MARKDOWN_H_
