#include "services/access.h"

#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

namespace throughline::services {

namespace {

constexpr DataClasses kGeneral = Bit(DataClass::kGeneral);
constexpr DataClasses kOffences = Bit(DataClass::kOffences);
constexpr DataClasses kIntelligence = Bit(DataClass::kIntelligence);
constexpr DataClasses kHealth = Bit(DataClass::kHealth);
constexpr DataClasses kSafeguarding = Bit(DataClass::kSafeguarding);

std::string Hex(const unsigned char* bytes, std::size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    out += kDigits[bytes[i] >> 4];
    out += kDigits[bytes[i] & 15];
  }
  return out;
}

bool IsHex(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

// Splits off the next space-separated word of `line`.
std::string_view NextWord(std::string_view* line) {
  const auto start = line->find_first_not_of(" \t");
  if (start == std::string_view::npos) {
    *line = {};
    return {};
  }
  line->remove_prefix(start);
  const auto end = line->find_first_of(" \t");
  std::string_view word = line->substr(0, end);
  line->remove_prefix(end == std::string_view::npos ? line->size() : end);
  return word;
}

}  // namespace

const std::vector<Role>& Roles() {
  static const std::vector<Role> roles = {
      {"police", kGeneral | kOffences | kIntelligence | kSafeguarding, true, true, false,
       "police forces, including their IOM officers"},
      {"prison", kAllClasses, true, false, false, "prisons: offender management units"},
      {"probation", kAllClasses, true, true, false, "the probation service"},
      {"iom", kGeneral | kOffences | kIntelligence | kSafeguarding, true, false, false,
       "IOM coordinators"},
      {"mappa", kAllClasses, true, true, false, "MAPPA coordinators"},
      {"analyst", kGeneral | kOffences | kIntelligence, true, false, false,
       "JIP and force analysts"},
      {"investigator", kAllClasses, true, true, false, "serious case reviews and investigations"},
      {"health", kGeneral | kHealth, true, false, false, "health partners"},
      {"safeguarding", kGeneral | kSafeguarding, true, false, false,
       "social care and safeguarding partners"},
      {"housing", kGeneral, true, false, false, "housing partners"},
      {"jobcentre", kGeneral, true, false, false, "Jobcentre Plus and employment partners"},
      {"auditor", 0, false, false, true, "information governance: the audit log only"},
      {"operator", 0, false, false, false, "the engine's operators: backups, compaction, stats",
       true},
  };
  return roles;
}

const Role* FindRole(std::string_view name) {
  for (const Role& r : Roles()) {
    if (r.name == name)
      return &r;
  }
  return nullptr;
}

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
  return Hex(digest, length);
}

Result<TokenRegistry> TokenRegistry::Load(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return Status::NotFound(fmt::format(
        "no tokens file at {}: create one with throughline token --tokens {} --role ROLE "
        "--agency AGENCY",
        path, path));
  }
  std::stringstream text;
  text << in.rdbuf();
  return Parse(text.str(), path);
}

Result<TokenRegistry> TokenRegistry::Parse(std::string_view text, std::string_view origin) {
  TokenRegistry registry;
  int number = 0;
  while (!text.empty()) {
    const auto eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
    ++number;
    if (const auto hash = line.find('#'); hash != std::string_view::npos)
      line = line.substr(0, hash);
    std::string_view rest = line;
    const std::string_view id = NextWord(&rest);
    if (id.empty())
      continue;
    const std::string_view role = NextWord(&rest);
    const std::string_view expires = NextWord(&rest);
    const std::string_view sha = NextWord(&rest);
    const auto agency_start = rest.find_first_not_of(" \t");
    std::string_view agency =
        agency_start == std::string_view::npos ? std::string_view{} : rest.substr(agency_start);
    while (!agency.empty() &&
           (agency.back() == ' ' || agency.back() == '\t' || agency.back() == '\r')) {
      agency.remove_suffix(1);
    }
    auto bad = [&](std::string_view what) {
      return Status::InvalidArgument(
          fmt::format("{} line {}: {} (expected: id role "
                      "expires|- sha256 agency)",
                      origin, number, what));
    };
    Entry entry;
    if (!IsHex(id) || id.size() != 8)
      return bad(fmt::format("id \"{}\" is not 8 hex digits", id));
    entry.role = FindRole(role);
    if (entry.role == nullptr)
      return bad(fmt::format("unknown role \"{}\"", role));
    if (expires != "-") {
      events::Date date;
      if (events::ParseDate(expires, &date))
        return bad(fmt::format("expires \"{}\" is not a date or -", expires));
      entry.expires = date;
    }
    if (!IsHex(sha) || sha.size() != 64)
      return bad("the hash is not 64 hex digits");
    if (agency.empty())
      return bad("no agency");
    entry.sha256_hex = sha;
    entry.agency = agency;
    if (!registry.tokens_.emplace(std::string(id), std::move(entry)).second)
      return bad(fmt::format("id {} is there twice", id));
  }
  return registry;
}

Result<Caller> TokenRegistry::Authenticate(std::string_view token, events::Date today) const {
  const auto dot = token.find('.');
  const auto it =
      dot == std::string_view::npos ? tokens_.end() : tokens_.find(token.substr(0, dot));
  const std::string hash = Sha256Hex(token);
  if (it == tokens_.end() || it->second.sha256_hex.size() != hash.size() ||
      CRYPTO_memcmp(it->second.sha256_hex.data(), hash.data(), hash.size()) != 0) {
    return Status::NotFound("the token is not valid: ask your administrator for one");
  }
  if (it->second.expires && today > *it->second.expires) {
    return Status::Aborted("the token has expired: ask your administrator for a new one");
  }
  return Caller{it->first, it->second.role, it->second.agency};
}

Result<NewToken> MakeToken(std::string_view role, std::string_view agency,
                           std::optional<events::Date> expires) {
  if (FindRole(role) == nullptr) {
    std::string names;
    for (const Role& r : Roles())
      names += (names.empty() ? "" : ", ") + std::string(r.name);
    return Status::InvalidArgument(fmt::format("unknown role \"{}\": one of {}", role, names));
  }
  if (agency.empty() || agency.find_first_of("\n#") != std::string_view::npos)
    return Status::InvalidArgument("the agency must be one line of text without #");
  unsigned char bytes[20];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1)
    return Status::IOError("no random bytes from OpenSSL");
  NewToken t;
  const std::string id = Hex(bytes, 4);
  t.token = id + "." + Hex(bytes + 4, 16);
  t.line = fmt::format("{} {} {} {} {}", id, role, expires ? events::FormatDate(*expires) : "-",
                       Sha256Hex(t.token), agency);
  return t;
}

}  // namespace throughline::services
