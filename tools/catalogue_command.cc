#include <iostream>

#include "events/catalogue_markdown.h"
#include "tools/commands.h"

namespace throughline::tools {

void AddCatalogueCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "catalogue", "Print the event catalogue (types, fields, enumerations) as Markdown");
  cmd->callback([] { std::cout << events::CatalogueMarkdown(); });
}

}  // namespace throughline::tools
