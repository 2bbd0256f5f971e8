#include "services/ingest_queue.h"

#include <atomic>
#include <chrono>
#include <thread>

#include <catch2/catch.hpp>

namespace throughline::services {
namespace {

using std::chrono::milliseconds;

IncomingBatch Batch(int messages) {
  IncomingBatch batch;
  batch.messages.resize(messages);
  batch.bytes = 100 * messages;
  return batch;
}

TEST_CASE("The ingest queue: batches merged up to a size, producers held back, closing", "[unit]") {
  IngestQueue queue;
  SECTION("a take merges queued batches, in order, up to about the size asked") {
    queue.Push(Batch(2));
    queue.Push(Batch(3));
    queue.Push(Batch(4));
    CHECK(queue.bytes() == 900);
    auto first = queue.Take(milliseconds(0), 5);
    REQUIRE(first);
    CHECK(first->messages.size() == 5);
    CHECK_FALSE(queue.idle());
    queue.Done();
    auto second = queue.Take(milliseconds(0), 5);
    REQUIRE(second);
    CHECK(second->messages.size() == 4);
    queue.Done();
    CHECK(queue.idle());
    CHECK_FALSE(queue.Take(milliseconds(0), 5));
  }
  SECTION("a producer waiting for room goes on once the writer takes") {
    queue.Push(Batch(1));
    queue.Push(Batch(1));
    std::atomic<bool> went_on{false};
    std::thread producer([&] {
      REQUIRE(queue.WaitQueuedAtMost(1));
      went_on = true;
    });
    std::this_thread::sleep_for(milliseconds(50));
    CHECK_FALSE(went_on);  // two queued: it waits
    auto taken = queue.Take(milliseconds(0), 1);
    REQUIRE(taken);
    producer.join();
    CHECK(went_on);
  }
  SECTION(
      "closing wakes a waiting producer with false, and the writer still gets what was "
      "queued") {
    queue.Push(Batch(1));
    queue.Push(Batch(2));
    std::atomic<int> waited{-1};
    std::thread producer([&] { waited = queue.WaitQueuedAtMost(0) ? 1 : 0; });
    std::this_thread::sleep_for(milliseconds(20));
    queue.Close();
    producer.join();
    CHECK(waited == 0);
    auto rest = queue.Take(milliseconds(1000), 10);
    REQUIRE(rest);
    CHECK(rest->messages.size() == 3);
    queue.Done();
    const auto start = std::chrono::steady_clock::now();
    CHECK_FALSE(queue.Take(milliseconds(1000), 10));
    CHECK(std::chrono::steady_clock::now() - start < milliseconds(500));  // closed: no wait
  }
}

TEST_CASE("The ingest queue: waiting for the writer to bring the bytes down", "[unit]") {
  IngestQueue queue;
  queue.Push(Batch(3));  // 300 bytes
  queue.Push(Batch(2));  // 200
  SECTION("at most the bytes asked already: no wait") {
    CHECK(queue.WaitBytesAtMost(500, milliseconds(0)));
  }
  SECTION("more, and no one takes: false after the timeout") {
    CHECK_FALSE(queue.WaitBytesAtMost(250, milliseconds(20)));
  }
  SECTION("taken is still counted until written: true once the writer is done with it") {
    std::atomic<int> waited{-1};
    std::thread consumer([&] { waited = queue.WaitBytesAtMost(250, milliseconds(5000)) ? 1 : 0; });
    auto taken = queue.Take(milliseconds(0), 3);
    REQUIRE(taken);
    CHECK(taken->messages.size() == 3);
    std::this_thread::sleep_for(milliseconds(50));
    CHECK(waited == -1);  // the 300 bytes taken are being written: still 500
    queue.Done();
    consumer.join();
    CHECK(waited == 1);
    CHECK(queue.bytes() == 200);
  }
  SECTION("closing wakes it with false") {
    std::atomic<int> waited{-1};
    std::thread consumer([&] { waited = queue.WaitBytesAtMost(0, milliseconds(5000)) ? 1 : 0; });
    std::this_thread::sleep_for(milliseconds(20));
    queue.Close();
    consumer.join();
    CHECK(waited == 0);
  }
}

}  // namespace
}  // namespace throughline::services
