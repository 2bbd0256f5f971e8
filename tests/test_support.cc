#include "tests/test_support.h"

#include <fstream>
#include <sstream>
#include <stdio.h>
#include <sys/wait.h>

// Boost.JSON in header-only mode, compiled once here for every test.
#include <boost/json/src.hpp>
#include <catch2/catch.hpp>

#include "events/envelope_parser.h"

namespace throughline::testing {

std::string SourcePath(const std::string& relative) {
  return std::string(THROUGHLINE_SOURCE_DIR) + "/" + relative;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty())
      lines.push_back(line);
  }
  return lines;
}

const std::vector<std::string>& ValidSamples() {
  static const std::vector<std::string> samples =
      ReadLines(SourcePath("tests/data/valid_events.ndjson"));
  return samples;
}

std::string SampleFor(const events::TypeInfo& info) {
  events::EnvelopeParser parser;
  for (const auto& line : ValidSamples()) {
    auto result = parser.Parse(line);
    if (result.ok() && &result.event.info() == &info)
      return line;
  }
  FAIL("no valid sample of " << info.name << " dataversion " << info.version
                             << " in tests/data/valid_events.ndjson");
  return {};
}

events::Event ParseValid(const std::string& json) {
  events::EnvelopeParser parser;
  auto result = parser.Parse(json);
  INFO(json);
  INFO(events::JoinErrors(result.errors));
  REQUIRE(result.ok());
  return result.event;
}

namespace {

boost::json::object& Parent(boost::json::value& root, const std::vector<std::string>& path) {
  boost::json::value* v = &root;
  for (std::size_t i = 0; i + 1 < path.size(); ++i)
    v = &v->as_object()[path[i]];
  return v->as_object();
}

}  // namespace

std::string WithMember(const std::string& json, const std::vector<std::string>& path,
                       const boost::json::value& value) {
  boost::json::value root = boost::json::parse(json);
  Parent(root, path)[path.back()] = value;
  return boost::json::serialize(root);
}

std::string WithoutMember(const std::string& json, const std::vector<std::string>& path) {
  boost::json::value root = boost::json::parse(json);
  Parent(root, path).erase(path.back());
  return boost::json::serialize(root);
}

int Run(const std::string& command, std::string* output) {
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  output->clear();
  char buffer[4096];
  std::size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0)
    output->append(buffer, n);
  int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace throughline::testing
