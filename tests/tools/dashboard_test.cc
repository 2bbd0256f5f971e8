// The dashboard in a real browser: Debian's headless Chromium, driven through chromedriver's
// W3C WebDriver protocol (JSON over HTTP), against `throughline serve` fed a synthetic region.
// The page must show what the API says, exactly and only: the counts of a person's view, a
// lane per agency with a mark per event and a bar per custody episode, a new event arriving
// live, and nothing of what a housing partner may not see.

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <netinet/in.h>
#include <random>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <fmt/chrono.h>
#include <fmt/format.h>

#include "services/http_client.h"
#include "tests/test_support.h"

namespace throughline {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr char kChromium[] = "/usr/bin/chromium";
constexpr char kChromedriver[] = "/usr/bin/chromedriver";

const std::vector<std::string> kLanes = {"police",    "courts",        "custody",
                                         "probation", "interventions", "partnership"};

// A TCP port nobody listens on now (the kernel's pick for port 0).
int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  socklen_t length = sizeof(addr);
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length) == 0);
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::string Base64Decode(std::string_view text) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    const auto at = kAlphabet.find(c);
    if (at == std::string_view::npos)
      continue;  // padding, line breaks
    bits = (bits << 6) | static_cast<std::uint32_t>(at);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += static_cast<char>((bits >> count) & 0xff);
    }
  }
  return out;
}

// GET a /v1 path with a token; the parsed body of a 200.
json::value ApiGet(const std::string& address, const std::string& target, const std::string& token,
                   const services::Headers& extra = {}) {
  services::Headers headers = {{"Authorization", "Bearer " + token}};
  headers.insert(headers.end(), extra.begin(), extra.end());
  const auto r = services::HttpGet(address, target, headers);
  INFO("GET " << target << " -> " << r.status << " " << r.body << r.error);
  REQUIRE(r.status == 200);
  return json::parse(r.body);
}

// A chromedriver process and one browser session in it, ended (browser first) when destroyed.
class Browser {
 public:
  Browser(const std::string& dir, const std::string& log) {
    const int port = FreePort();
    address_ = fmt::format("127.0.0.1:{}", port);
    driver_ = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{kChromedriver, fmt::format("--port={}", port)}, log);
    testing::WaitFor(
        [&] {
          const auto r = services::HttpGet(address_, "/status");
          return r.status == 200 && json::parse(r.body).at("value").at("ready").as_bool();
        },
        20s, "chromedriver to be ready on " + address_);
    const std::string profile = dir + "/chromium-profile";
    std::filesystem::create_directories(profile);
    json::array args = {"--headless=new",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-dev-shm-usage",
                        "--no-first-run",
                        "--disable-background-networking",
                        "--disable-component-update",
                        "--disable-sync",
                        "--window-size=1400,1000",
                        "--user-data-dir=" + profile};
    json::object options = {{"binary", kChromium}, {"args", args}};
    json::object always = {{"browserName", "chrome"}, {"goog:chromeOptions", options}};
    json::object capabilities = {{"alwaysMatch", always}};
    const json::value session = Call("POST", "/session", {{"capabilities", capabilities}});
    session_ = json::value_to<std::string>(session.at("sessionId"));
  }

  ~Browser() {
    if (!session_.empty())
      services::HttpCall("DELETE", address_, "/session/" + session_);
    driver_->Signal(SIGTERM);
    driver_->Wait();
  }

  Browser(const Browser&) = delete;
  Browser& operator=(const Browser&) = delete;

  void Go(const std::string& url) { Call("POST", Path("/url"), {{"url", url}}); }

  void Resize(int width, int height) {
    Call("POST", Path("/window/rect"), {{"width", width}, {"height", height}});
  }

  // Runs `script` (a function body: `return ...;`) in the page; what it returned.
  json::value Run(const std::string& script) {
    return Call("POST", Path("/execute/sync"), {{"script", script}, {"args", json::array()}});
  }

  // Polls `script` until it returns true.
  void WaitUntil(const std::string& script, std::chrono::seconds timeout, const std::string& what) {
    testing::WaitFor(
        [&] {
          const json::value v = Run(script);
          return v.is_bool() && v.as_bool();
        },
        timeout, what);
  }

  // The page as it is shown, as PNG bytes.
  std::string Screenshot() {
    return Base64Decode(json::value_to<std::string>(Call("GET", Path("/screenshot"), nullptr)));
  }

 private:
  std::string Path(const std::string& rest) const { return "/session/" + session_ + rest; }

  // A WebDriver command: its "value", or the test fails with the driver's error.
  json::value Call(const std::string& method, const std::string& target, const json::value& body) {
    const auto r = services::HttpCall(method, address_, target,
                                      body.is_null() ? "" : json::serialize(body), {}, 60s);
    INFO("WebDriver " << method << " " << target << " -> " << r.status << " " << r.error << " "
                      << r.body.substr(0, 2000));
    REQUIRE(r.status == 200);
    return json::parse(r.body).at("value");
  }

  std::string address_;
  std::string session_;
  std::unique_ptr<testing::ChildProcess> driver_;
};

// The directory of this test binary (build/tests), where the screenshot goes.
std::string BinaryDir() {
  return std::filesystem::read_symlink("/proc/self/exe").parent_path().string();
}

std::int64_t Int(const json::value& v) { return v.as_int64(); }
std::string Str(const json::value& v) { return v.is_string() ? std::string(v.as_string()) : ""; }

TEST_CASE("The dashboard shows a person's view, live, and only what the token may see", "[e2e]") {
  for (const char* program : {kChromium, kChromedriver}) {
    if (::access(program, X_OK) != 0) {
      FAIL(program << " is not installed: run tools/setup.sh (it installs chromium and "
                      "chromium-driver), then this test again");
    }
  }
  testing::TempDir dir;
  const std::string binary = THROUGHLINE_BINARY;
  const std::string data = dir.path() + "/data";
  const std::string log = dir.path() + "/processes.log";
  INFO("process output: " << log);
  std::filesystem::create_directories(data);

  std::string out;
  const std::string probation = testing::MakeToken(data, "probation", "probation:Gwent");
  const std::string housing = testing::MakeToken(data, "housing", "housing:Cardiff");
  testing::ChildProcess engine({binary, "serve", "--data", data, "--listen", "127.0.0.1:0"}, log);
  const std::string address = testing::WaitForEngine(data);
  REQUIRE(testing::Run(fmt::format("{} gen --persons 300 --seed 3 --data {} --wait >>{} 2>&1",
                                   binary, data, log),
                       &out) == 0);

  // Someone convicted who has been in custody: of those on the rolls of four Welsh prisons, the
  // one with the longest record (the richest picture for the screenshot).
  std::string person_id;
  std::string pnc;
  json::value timeline;
  for (const char* prison : {"CFI", "SWI", "PRI", "BWI"}) {
    const json::value roll =
        ApiGet(address, fmt::format("/v1/cohorts/prisons/{}?limit=100", prison), probation);
    for (const auto& summary : roll.at("persons").as_array()) {
      const std::string id = std::to_string(Int(summary.at("person")));
      std::string person_pnc;
      for (const auto& i : summary.at("identifiers").as_array()) {
        if (Str(i.at("kind")) == "pnc")
          person_pnc = Str(i.at("value"));
      }
      if (person_pnc.empty())
        continue;
      json::value t = ApiGet(address, "/v1/persons/id:" + id + "/timeline", probation);
      const auto& view = t.at("view").as_object();
      const bool longer = timeline.is_null() || t.at("timeline").as_array().size() >
                                                    timeline.at("timeline").as_array().size();
      if (Int(view.at("counts").at("convictions")) > 0 &&
          !view.at("custody_episodes").as_array().empty() && longer) {
        person_id = id;
        pnc = person_pnc;
        timeline = std::move(t);
      }
    }
  }
  REQUIRE_FALSE(person_id.empty());
  INFO("person id:" << person_id << " (pnc " << pnc << ")");
  const json::object& view = timeline.at("view").as_object();
  const json::array& events = timeline.at("timeline").as_array();
  std::size_t custody_events = 0;
  for (const auto& e : events) {
    if (json::value_to<std::string>(e.at("event").at("type")).starts_with("custody."))
      ++custody_events;
  }

  const std::string base = "http://" + address + "/";
  auto browser = std::make_unique<Browser>(dir.path(), log);
  browser->Resize(1400, 1250);

  // The token comes in the fragment, and leaves the address bar at once.
  browser->Go(base + "#token=" + probation);
  browser->WaitUntil("return !document.querySelector('#shell').hidden;", 10s, "the signed-in page");
  CHECK(json::value_to<std::string>(browser->Run("return location.href;")).find(probation) ==
        std::string::npos);
  browser->WaitUntil("return document.querySelector('#feed-status').dataset.state === 'live';", 10s,
                     "the live alert feed");
  browser->WaitUntil("return document.querySelectorAll('#cohort-table tbody tr').length > 0;", 10s,
                     "HMP Cardiff's roll");
  CHECK(Int(browser->Run("return document.querySelectorAll('#alert-feed li').length;")) > 0);

  // A row of the roll opens that person's page.
  const std::string first_row =
      Str(browser->Run("const row = document.querySelector('#cohort-table tbody tr');"
                       "row.click(); return row.dataset.person;"));
  browser->WaitUntil(fmt::format("const p = document.querySelector('#person-page');"
                                 "return !p.hidden && p.dataset.loaded === 'true' && "
                                 "p.dataset.person === '{}';",
                                 first_row),
                     15s, "the page of the roll's first person");

  // Find the person by their bare PNC, as a user would type it.
  browser->Run(
      fmt::format("document.querySelector('#search-input').value = '{}';"
                  "document.querySelector('#search-form').requestSubmit(); return true;",
                  pnc));
  browser->WaitUntil(fmt::format("const p = document.querySelector('#person-page');"
                                 "return decodeURIComponent(location.hash).includes('pnc:{}') && "
                                 "!p.hidden && p.dataset.loaded === 'true' && "
                                 "p.dataset.person === '{}';",
                                 pnc, person_id),
                     15s, "the person page");

  // The counts panel shows the view's counts.
  const json::value shown = browser->Run(
      "const out = {};"
      "for (const c of document.querySelectorAll('#counts [data-count]'))"
      "  out[c.dataset.count] = c.dataset.value;"
      "return out;");
  const json::object& counts = view.at("counts").as_object();
  CHECK(counts.size() == 12);
  for (const auto& [name, value] : counts) {
    INFO("count " << name);
    REQUIRE(shown.as_object().contains(name));
    CHECK(json::value_to<std::string>(shown.at(name)) == std::to_string(Int(value)));
  }
  const double rate = view.at("charge_to_conviction_rate").to_number<double>();
  CHECK(std::stod(json::value_to<std::string>(shown.at("charge_to_conviction_rate"))) ==
        Approx(rate));

  // Six lanes; a mark per event the token may see, custody's in its lane; a bar per episode.
  const json::value lanes = browser->Run(
      "return [...document.querySelectorAll('#timeline-chart g[data-lane]')]"
      ".map(g => g.dataset.lane);");
  CHECK(json::value_to<std::vector<std::string>>(lanes) == kLanes);
  CHECK(Int(browser->Run("return document.querySelectorAll('#timeline-chart .mark[data-sequence]')"
                         ".length;")) == static_cast<std::int64_t>(events.size()));
  CHECK(Int(browser->Run("return document.querySelectorAll("
                         "'#timeline-chart g[data-lane=custody] .mark').length;")) ==
        static_cast<std::int64_t>(custody_events));
  CHECK(Int(browser->Run("return document.querySelectorAll('#timeline-chart .custody-bar')"
                         ".length;")) ==
        static_cast<std::int64_t>(view.at("custody_episodes").as_array().size()));
  CHECK(Int(browser->Run("return document.querySelectorAll('#timeline-chart .post-conviction')"
                         ".length;")) == 1);

  // A new arrest for this person, published to Kafka, appears on the open page by itself.
  const std::string new_id = fmt::format("dashboard-test-{}", std::random_device{}());
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  json::object arrest = {
      {"specversion", "1.0"},
      {"id", new_id},
      {"source", "police/gwent/custody"},
      {"type", "arrest.recorded"},
      {"time", fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", now)},
      {"dataversion", 1},
      {"data",
       {{"person", {{"pnc", pnc}}},
        {"mode", "arrest"},
        {"force", "gwent"},
        {"offences", json::array{{{"code", "TH68001"}, {"description", "Theft from a shop"}}}}}}};
  const std::string event_file = dir.path() + "/arrest.ndjson";
  std::ofstream(event_file) << json::serialize(arrest) << '\n';
  REQUIRE(
      testing::Run(fmt::format("{} produce --data {} {} >>{} 2>&1", binary, data, event_file, log),
                   &out) == 0);
  browser->WaitUntil(
      fmt::format(
          "const m = document.querySelectorAll('#timeline-chart .mark[data-new=true]');"
          "return m.length === 1 && m[0].dataset.type === 'arrest.recorded' && "
          "document.querySelectorAll('#timeline-chart .mark[data-sequence]').length === {};",
          events.size() + 1),
      15s, "the new arrest on the open page");
  const json::value after = ApiGet(address, "/v1/persons/id:" + person_id + "/timeline", probation);
  CHECK(Int(after.at("view").at("counts").at("arrests")) == Int(counts.at("arrests")) + 1);
  std::int64_t new_sequence = 0;
  for (const auto& e : after.at("timeline").as_array()) {
    if (Str(e.at("event").at("id")) == new_id)
      new_sequence = Int(e.at("sequence"));
  }
  CHECK(new_sequence > 0);
  CHECK(Int(browser->Run(
            "return Number(document.querySelector('#timeline-chart .mark[data-new=true]')"
            ".dataset.sequence);")) == new_sequence);
  CHECK(json::value_to<std::string>(
            browser->Run("return document.querySelector('#counts [data-count=arrests]')"
                         ".dataset.value;")) == std::to_string(Int(counts.at("arrests")) + 1));
  CHECK_FALSE(browser->Run("return document.querySelector('#person-news').hidden;").as_bool());

  // The picture for the README: the person page, the new arrest marked.
  const std::string png = browser->Screenshot();
  REQUIRE(png.substr(0, 8) == "\x89PNG\r\n\x1a\n");
  const std::filesystem::path artifacts = BinaryDir() + "/artifacts";
  std::filesystem::create_directories(artifacts);
  std::ofstream(artifacts / "dashboard.png", std::ios::binary) << png;
  // The README's picture is refreshed on request only, so a test run leaves the tree clean.
  if (std::getenv("THROUGHLINE_UPDATE_SCREENSHOT") != nullptr)
    std::ofstream(testing::SourcePath("docs/dashboard.png"), std::ios::binary) << png;

  // Replay: the slider asks for a reason once, then shows the view as it stood.
  browser->Run(
      "const s = document.querySelector('#as-of-slider');"
      "s.value = String(Math.floor(Number(s.max) / 2));"
      "s.dispatchEvent(new Event('input')); s.dispatchEvent(new Event('change')); return true;");
  browser->WaitUntil("return document.querySelector('#reason-dialog').open;", 5s,
                     "the reason dialog");
  browser->Run(
      "document.querySelector('#reason-input').value = 'dashboard test: replay';"
      "const f = document.querySelector('#reason-form');"
      "f.requestSubmit(f.querySelector('button[value=ok]')); return true;");
  browser->WaitUntil("return !!document.querySelector('#person-page').dataset.asOf;", 10s,
                     "the replayed view");
  const std::string as_of =
      json::value_to<std::string>(browser->Run("return document.querySelector('#person-page')"
                                               ".dataset.asOf;"));
  const json::value replay =
      ApiGet(address, "/v1/persons/id:" + person_id + "/timeline?as_of=" + as_of, probation,
             {{"X-Reason", "dashboard test: check"}});
  CHECK(json::value_to<std::string>(
            browser->Run("return document.querySelector('#counts [data-count=arrests]')"
                         ".dataset.value;")) ==
        std::to_string(Int(replay.at("view").at("counts").at("arrests"))));
  CHECK(Int(browser->Run("return document.querySelectorAll('#timeline-chart .mark[data-sequence]')"
                         ".length;")) ==
        static_cast<std::int64_t>(replay.at("timeline").as_array().size()));

  // A housing partner: the same person, without what housing may not see.
  const json::value seen = ApiGet(address, "/v1/persons/id:" + person_id + "/timeline", housing);
  REQUIRE_FALSE(seen.at("view").as_object().contains("counts"));
  browser->Go("about:blank");
  browser->Go(base + "#token=" + housing);
  browser->WaitUntil("return !document.querySelector('#shell').hidden;", 10s, "the housing page");
  browser->Run(fmt::format("location.hash = '#/person/id:{}'; return true;", person_id));
  browser->WaitUntil(fmt::format("const p = document.querySelector('#person-page');"
                                 "return !p.hidden && p.dataset.loaded === 'true' && "
                                 "p.dataset.person === '{}';",
                                 person_id),
                     15s, "the person page for housing");
  CHECK(Str(browser->Run("return document.querySelector('#counts').dataset.redacted;")) == "true");
  CHECK(json::value_to<std::string>(
            browser->Run("return document.querySelector('#counts').textContent;"))
            .find("Not shown to your role") != std::string::npos);
  CHECK(Int(browser->Run("return document.querySelectorAll('[data-count]').length;")) == 0);
  CHECK(Int(browser->Run("return document.querySelectorAll('#timeline-chart .mark[data-sequence]')"
                         ".length;")) ==
        static_cast<std::int64_t>(seen.at("timeline").as_array().size()));
  // Housing may not replay: the refusal is shown and the slider disabled.
  browser->Run(
      "const s = document.querySelector('#as-of-slider');"
      "s.value = '0'; s.dispatchEvent(new Event('input')); s.dispatchEvent(new Event('change'));"
      "return true;");
  browser->WaitUntil("return document.querySelector('#reason-dialog').open;", 5s,
                     "the reason dialog for housing");
  browser->Run(
      "document.querySelector('#reason-input').value = 'dashboard test: housing';"
      "const f = document.querySelector('#reason-form');"
      "f.requestSubmit(f.querySelector('button[value=ok]')); return true;");
  browser->WaitUntil("return document.querySelector('#as-of-slider').disabled;", 10s,
                     "the slider to be disabled");
  CHECK(json::value_to<std::string>(
            browser->Run("return document.querySelector('#as-of-status').textContent;"))
            .find("may not replay") != std::string::npos);

  // The browser goes first, so that the engine stops with no page reconnecting to it.
  browser.reset();
  engine.Signal(SIGTERM);
  CHECK(engine.Wait() == 0);
}

}  // namespace
}  // namespace throughline
