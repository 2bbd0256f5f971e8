// Helpers shared by the tests: the sample data, and JSON surgery on it.

#ifndef THROUGHLINE_TESTS_TEST_SUPPORT_H_
#define THROUGHLINE_TESTS_TEST_SUPPORT_H_

#include <chrono>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "events/event.h"
#include "services/child_process.h"

namespace throughline::testing {

// A path under the source tree, e.g. SourcePath("tests/data/valid_events.ndjson").
std::string SourcePath(const std::string& relative);

std::string ReadFile(const std::string& path);

// The first line of a file without its line end; empty when it has none (or is not there yet).
std::string ReadFirstLine(const std::string& path);

// The non-blank lines of a file.
std::vector<std::string> ReadLines(const std::string& path);

// tests/data/valid_events.ndjson: a realistic valid message of every (type, dataversion).
const std::vector<std::string>& ValidSamples();

// The valid sample whose type and dataversion are those of `info`; fails the test if none.
std::string SampleFor(const events::TypeInfo& info);

// Parses a sample that must be valid; fails the test with the errors otherwise.
events::Event ParseValid(const std::string& json);

// Bytes as lower-case hex, and back: the golden files of tests/data/golden/.
std::string Hex(std::string_view bytes);
std::string Unhex(std::string_view hex);

// Sets or removes (value null) a member of a JSON object along a path of keys.
std::string WithMember(const std::string& json, const std::vector<std::string>& path,
                       const boost::json::value& value);
std::string WithoutMember(const std::string& json, const std::vector<std::string>& path);

// Waits until `done()` holds, or fails the test after `timeout`, naming `what` it waited for.
template <class Predicate>
void WaitFor(Predicate done, std::chrono::seconds timeout, const std::string& what) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline)
      FAIL("timed out waiting for " << what);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

// Runs a shell command; returns its exit status and fills `output` with its stdout.
int Run(const std::string& command, std::string* output);

// A fresh directory under the system's temp directory, removed (with its contents) at the end
// unless THROUGHLINE_KEEP_TEST_DIRS is set (to look at it after a failure).
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A child process (the engine, as a user runs it): services/child_process.h.
using services::ChildProcess;

// `throughline token --data D --role R --agency A`, as a user runs it: the token it prints.
std::string MakeToken(const std::string& data, const std::string& role, const std::string& agency);

// Waits for an engine started on `data` with --listen 127.0.0.1:0 to hold the directory and
// listen: the HTTP address it wrote (D/http.address) once D/kafka.bootstrap is there too.
std::string WaitForEngine(const std::string& data);

// Valid envelopes for load and crash tests: `count` events about `persons` people from
// `sources` publishers, in a mix of types. Deterministic for a seed; ids are unique.
std::vector<std::string> SyntheticEvents(std::size_t count, std::size_t persons,
                                         std::size_t sources = 20, unsigned seed = 1);

// The identifiers SyntheticEvents gives person i.
events::Person SyntheticPerson(std::size_t i);

}  // namespace throughline::testing

#endif  // THROUGHLINE_TESTS_TEST_SUPPORT_H_
