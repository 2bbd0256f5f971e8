// FUZZ_CHECK: an invariant a fuzz target asserts about what the code under test returned. A
// broken one aborts, which libFuzzer reports as a crash and saves the input as crash-<sha1>
// for a unit test to replay.

#ifndef THROUGHLINE_TESTS_FUZZ_FUZZ_CHECK_H_
#define THROUGHLINE_TESTS_FUZZ_FUZZ_CHECK_H_

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace throughline::fuzz {

[[noreturn]] inline void Fail(const char* condition, const char* file, int line,
                              std::string_view detail) {
  std::fprintf(stderr, "%s:%d: invariant broken: %s\n", file, line, condition);
  if (!detail.empty())
    std::fprintf(stderr, "  %.*s\n", static_cast<int>(detail.size()), detail.data());
  std::abort();
}

// The input as a string_view, as every parser here takes it.
inline std::string_view AsText(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace throughline::fuzz

#define FUZZ_CHECK(condition, detail)                                      \
  do {                                                                     \
    if (!(condition))                                                      \
      ::throughline::fuzz::Fail(#condition, __FILE__, __LINE__, (detail)); \
  } while (false)

#endif  // THROUGHLINE_TESTS_FUZZ_FUZZ_CHECK_H_
