// throughline: the one command-line program; `throughline --help` lists what it does.

#include <CLI/CLI.hpp>

#include "tools/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"Throughline: the shared lifetime timeline of people in the justice system"};
  app.require_subcommand(1);
  throughline::tools::AddValidateCommand(app);
  throughline::tools::AddCatalogueCommand(app);
  throughline::tools::AddServeCommand(app);
  throughline::tools::AddKafkaCommand(app);
  throughline::tools::AddProduceCommand(app);
  throughline::tools::AddLogCommands(app);
  throughline::tools::AddImportCommand(app);
  throughline::tools::AddGenCommand(app);
  throughline::tools::AddViewCommands(app);
  throughline::tools::AddRebuildCommand(app);
  throughline::tools::AddTokenCommand(app);
  throughline::tools::AddAuditCommand(app);
  throughline::tools::AddReplayCommand(app);
  throughline::tools::AddAdminCommand(app);
  throughline::tools::AddBenchCommand(app);
  CLI11_PARSE(app, argc, argv);
  return 0;
}
