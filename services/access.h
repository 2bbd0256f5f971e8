// Need to know: who is asking, and what their role lets them see (docs/access.md).
//
// Every reader holds a bearer token issued to an agency for a role. The engine keeps only each
// token's SHA-256, in a tokens file (one line each, `throughline token` appends them):
//
//   # id     role       expires     sha256 (64 hex)                                   agency
//   3f9a1c2e probation  2027-12-31  9c1d...e0 probation:Cardiff and Vale
//
// A token is "<id>.<secret>": the id finds the line, the hash of the whole token must match it
// (compared in constant time), and the line must not have expired. A role grants data classes
// (general, offences, intelligence, health, safeguarding) and abilities (replay, audit); the
// readers redact to the classes (redaction.h).
//
// Thread safety: a TokenRegistry is immutable once loaded; share it freely.

#ifndef THROUGHLINE_SERVICES_ACCESS_H_
#define THROUGHLINE_SERVICES_ACCESS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "events/calendar.h"
#include "events/event_type.h"
#include "events/status.h"

namespace throughline::services {

// What a piece of information is, for need to know: the catalogue's data classes (each event
// type has one, docs/events.md), as bits of a mask.
using events::DataClass;
using DataClasses = std::uint8_t;
constexpr DataClasses Bit(DataClass c) {
  return static_cast<DataClasses>(1u << static_cast<int>(c));
}
constexpr DataClasses kAllClasses = Bit(DataClass::kGeneral) | Bit(DataClass::kOffences) |
                                    Bit(DataClass::kIntelligence) | Bit(DataClass::kHealth) |
                                    Bit(DataClass::kSafeguarding) | Bit(DataClass::kUnclassified);
inline bool Allows(DataClasses granted, DataClass c) { return (granted & Bit(c)) != 0; }
using events::DataClassName;
// Every class, in order.
inline constexpr DataClass kDataClasses[] = {DataClass::kGeneral,      DataClass::kOffences,
                                             DataClass::kIntelligence, DataClass::kHealth,
                                             DataClass::kSafeguarding, DataClass::kUnclassified};

struct Role {
  std::string_view name;
  DataClasses classes = 0;
  bool read_persons = false;  // views, timelines, cohorts, alerts, events, subscriptions
  bool replay = false;        // as_of / as_known_at (with a reason)
  bool audit = false;         // read the audit log
  std::string_view who;       // for docs and refusals
  bool admin = false;         // back up, compact, read the store's statistics
};

// The roles, in the order docs/access.md lists them.
const std::vector<Role>& Roles();
const Role* FindRole(std::string_view name);

struct Caller {
  std::string token_id;
  const Role* role = nullptr;
  std::string agency;  // "prison:CFI", "probation:Cardiff and Vale", ...
  bool Allows(DataClass c) const { return role && services::Allows(role->classes, c); }
};

// Who a bearer token stands for: the API's one question of the tokens, answered by a registry
// read once (TokenRegistry) or by the tokens file as it is now (token_file.h).
class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // The caller a bearer token stands for on `today`. Unauthenticated callers get a Status
  // whose message says what to do and reveals nothing else (IsNotFound: no such token, or a
  // wrong secret; IsAborted: expired).
  virtual Result<Caller> Authenticate(std::string_view token, events::Date today) const = 0;
};

class TokenRegistry final : public Authenticator {
 public:
  // An empty registry: every request is refused.
  TokenRegistry() = default;
  // InvalidArgument naming the file and line of anything malformed; NotFound when the file
  // is missing.
  static Result<TokenRegistry> Load(const std::string& path);
  static Result<TokenRegistry> Parse(std::string_view text, std::string_view origin);

  Result<Caller> Authenticate(std::string_view token, events::Date today) const override;

  std::size_t size() const { return tokens_.size(); }

 private:
  struct Entry {
    const Role* role = nullptr;
    std::optional<events::Date> expires;
    std::string sha256_hex;
    std::string agency;
  };
  std::map<std::string, Entry, std::less<>> tokens_;
};

// A new random token for `role` and `agency`, and its line for the tokens file.
struct NewToken {
  std::string token;  // give to the agency, once: it is not kept anywhere
  std::string line;
};
Result<NewToken> MakeToken(std::string_view role, std::string_view agency,
                           std::optional<events::Date> expires);

// Lower-case hex SHA-256.
std::string Sha256Hex(std::string_view bytes);

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_ACCESS_H_
