// `throughline token`: issues a bearer token for an agency and role (services/access.h). The
// token is printed once; only its hash is appended to the tokens file the engine reads.

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sys/stat.h>

#include <fmt/format.h>

#include "events/calendar.h"
#include "services/access.h"
#include "tools/commands.h"

namespace throughline::tools {

namespace {

struct TokenFlags {
  std::string data;
  std::string tokens;
  std::string role;
  std::string agency;
  std::string expires;
  bool roles = false;
};

int Token(const TokenFlags& flags) {
  if (flags.roles) {
    for (const auto& r : services::Roles()) {
      std::string classes;
      for (auto c : services::kDataClasses) {
        if (services::Allows(r.classes, c))
          classes += (classes.empty() ? "" : ",") + std::string(services::DataClassName(c));
      }
      fmt::print("{:<13} {:<50} {}{}{}\n", r.name, classes.empty() ? "-" : classes,
                 r.replay ? "replay " : "", r.audit ? "audit " : "", r.who);
    }
    return 0;
  }
  const std::string path = !flags.tokens.empty() ? flags.tokens
                           : !flags.data.empty() ? flags.data + "/tokens"
                                                 : "";
  if (path.empty() || flags.role.empty() || flags.agency.empty()) {
    fmt::print(stderr,
               "throughline token: say --data DIR (or --tokens FILE), --role and --agency; "
               "--roles lists the roles\n");
    return 2;
  }
  std::optional<events::Date> expires;
  if (!flags.expires.empty()) {
    events::Date d;
    if (events::ParseDate(flags.expires, &d)) {
      fmt::print(stderr, "throughline token: --expires: \"{}\" is not a date (2027-12-31)\n",
                 flags.expires);
      return 2;
    }
    expires = d;
  }
  auto token = services::MakeToken(flags.role, flags.agency, expires);
  if (!token.ok()) {
    fmt::print(stderr, "throughline token: {}\n", token.status().message());
    return 2;
  }
  // A new data directory may have no engine yet: the tokens can come first.
  std::error_code ec;
  if (const auto parent = std::filesystem::path(path).parent_path(); !parent.empty())
    std::filesystem::create_directories(parent, ec);
  const bool existed = std::ifstream(path).good();
  {
    std::ofstream out(path, std::ios::app);
    if (!existed) {
      out << "# Throughline bearer tokens: id role expires sha256 agency (throughline token).\n"
             "# Only hashes are kept here; a token itself is shown once, when it is made.\n";
    }
    out << token->line << '\n';
    if (!out) {
      fmt::print(stderr, "throughline token: cannot write {}: check the path\n", path);
      return 2;
    }
  }
  ::chmod(path.c_str(), 0600);  // hashes, not secrets, but nobody else's business either
  std::cout << token->token << '\n';
  fmt::print(stderr,
             "token for {} ({}) added to {}; give it to them now, it is not kept: a running engine "
             "reads new tokens when it next starts\n",
             flags.agency, flags.role, path);
  return 0;
}

}  // namespace

void AddTokenCommand(CLI::App& app) {
  auto flags = std::make_shared<TokenFlags>();
  auto* cmd = app.add_subcommand(
      "token", "Issue a bearer token for an agency and role (prints it once, keeps its hash)");
  cmd->add_option("--data", flags->data, "Data directory: its tokens file, DIR/tokens");
  cmd->add_option("--tokens", flags->tokens, "The tokens file, instead of DIR/tokens");
  cmd->add_option("--role", flags->role, "police, prison, probation, iom, mappa, ... (--roles)");
  cmd->add_option("--agency", flags->agency, "Who holds it: prison:CFI, probation:Gwent, ...");
  cmd->add_option("--expires", flags->expires, "Last day it is valid, YYYY-MM-DD");
  cmd->add_flag("--roles", flags->roles, "List the roles and what each may see");
  cmd->callback([flags] { throw CLI::RuntimeError(Token(*flags)); });
}

}  // namespace throughline::tools
