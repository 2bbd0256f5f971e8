// The subcommands of `throughline`. Each lives in its own file and registers itself on the
// app; the work is done by the libraries, so each command is argument parsing and printing.

#ifndef THROUGHLINE_TOOLS_COMMANDS_H_
#define THROUGHLINE_TOOLS_COMMANDS_H_

#include <string>

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
void AddReplayCommand(CLI::App& app);
void AddAdminCommand(CLI::App& app);
void AddBenchCommand(CLI::App& app);

// `throughline verify` (also `admin verify`): 0 when the store checks out, 1 when not, 2 when
// it cannot be read.
int VerifyDataDir(const std::string& data);

}  // namespace throughline::tools

#endif  // THROUGHLINE_TOOLS_COMMANDS_H_
