#include "services/helper_thread.h"

#include <atomic>
#include <fstream>
#include <string>
#include <thread>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fmt/format.h>

namespace throughline::services {
namespace {

std::string NameOf(pid_t thread) {
  std::ifstream comm(fmt::format("/proc/self/task/{}/comm", thread));
  std::string name;
  std::getline(comm, name);
  return name;
}

TEST_CASE("A helper thread takes share 1 while the caller takes share 0, job after job", "[unit]") {
  HelperThread helper("tl-test-helper");
  const std::thread::id caller = std::this_thread::get_id();
  for (int job = 0; job < 1000; ++job) {
    std::thread::id ran[2];
    pid_t helper_tid = 0;
    std::atomic<int> calls{0};
    helper.RunShares([&](int share) {
      ran[share] = std::this_thread::get_id();
      if (share == 1)
        helper_tid = gettid();
      ++calls;
    });
    // Both shares ran, and had returned: what they wrote is there to read.
    REQUIRE(calls == 2);
    REQUIRE(ran[0] == caller);
    REQUIRE(ran[1] != caller);
    if (job == 0)
      CHECK(NameOf(helper_tid) == "tl-test-helper");
  }
}

TEST_CASE("A helper thread's share may take longer than the caller's", "[unit]") {
  HelperThread helper("tl-test-helper");
  int done[2] = {0, 0};
  helper.RunShares([&](int share) {
    if (share == 1)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    done[share] = 1;
  });
  CHECK(done[0] == 1);
  CHECK(done[1] == 1);
}

TEST_CASE("A helper thread runs a job started while the caller goes on and Wait returns after it",
          "[unit]") {
  HelperThread helper("tl-test-helper");
  CHECK(helper.Finished());
  helper.Wait();  // none started: returns at once
  const std::thread::id caller = std::this_thread::get_id();
  for (int job = 0; job < 200; ++job) {
    std::atomic<bool> release{false};
    std::thread::id ran;
    int result = 0;
    helper.Start([&] {
      while (!release)
        std::this_thread::yield();
      ran = std::this_thread::get_id();
      result = job;
    });
    CHECK_FALSE(helper.Finished());  // held until released
    release = true;                  // the caller's own work happens here, beside the job
    helper.Wait();
    CHECK(helper.Finished());
    REQUIRE(result == job);
    REQUIRE(ran != caller);
    // Shares and jobs take turns on the one thread.
    std::atomic<int> calls{0};
    helper.RunShares([&](int) { ++calls; });
    REQUIRE(calls == 2);
  }
}

}  // namespace
}  // namespace throughline::services
