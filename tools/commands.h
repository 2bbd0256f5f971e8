// The subcommands of `throughline`. Each lives in its own file and registers itself on the
// app; the work is done by the libraries, so each command is argument parsing and printing.

#ifndef THROUGHLINE_TOOLS_COMMANDS_H_
#define THROUGHLINE_TOOLS_COMMANDS_H_

#include <CLI/CLI.hpp>

namespace throughline::tools {

void AddValidateCommand(CLI::App& app);
void AddCatalogueCommand(CLI::App& app);
void AddServeCommand(CLI::App& app);
void AddKafkaCommand(CLI::App& app);
void AddProduceCommand(CLI::App& app);
void AddLogCommands(CLI::App& app);
void AddImportCommand(CLI::App& app);
void AddGenCommand(CLI::App& app);
void AddViewCommands(CLI::App& app);
void AddRebuildCommand(CLI::App& app);
void AddTokenCommand(CLI::App& app);
void AddAuditCommand(CLI::App& app);

}  // namespace throughline::tools

#endif  // THROUGHLINE_TOOLS_COMMANDS_H_
