// IngestQueue: the hand-off from the consumer thread (which parses) to the writer thread (which
// appends). Push never blocks, so the consumer keeps serving Kafka's callbacks; instead the
// consumer watches bytes() and pauses its partitions when the writer falls behind. The writer
// takes everything queued, up to a limit, as one batch: the slower it is, the bigger its
// batches, which is how it catches up.

#ifndef THROUGHLINE_SERVICES_INGEST_QUEUE_H_
#define THROUGHLINE_SERVICES_INGEST_QUEUE_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>

#include "services/incoming.h"

namespace throughline::services {

class IngestQueue {
 public:
  void Push(IncomingBatch batch);

  // Waits up to `timeout` for work, then takes queued batches (merged, in order) until about
  // `max_messages` messages. The writer calls Done() once it has written what it took: once a
  // Take, in the order taken (it may take the next batch before the last is written).
  std::optional<IncomingBatch> Take(std::chrono::milliseconds timeout, std::size_t max_messages);
  void Done();

  // Raw bytes queued or being written.
  std::size_t bytes() const;

  // Nothing is queued and the writer is not writing: a batch pushed now is taken at once.
  bool idle() const;

  // Waits until bytes() is at most `bytes`; false on timeout or Close().
  bool WaitBytesAtMost(std::size_t bytes, std::chrono::milliseconds timeout);

  // Waits until nothing is queued or being written; false on timeout or Close().
  bool WaitDrained(std::chrono::milliseconds timeout);

  // Waits until at most `batches` batches are queued (not counting the one being written);
  // false on Close(). For a producer that may block, unlike the Kafka consumer (import).
  bool WaitQueuedAtMost(std::size_t batches);

  // Wakes every waiter; Take() still hands out what is queued, then nothing.
  void Close();

  // The writer cannot write (a full disk): the consumer pauses until it can, rather than fill
  // memory with what it cannot store. Set and cleared by the writer.
  void SetStalled(bool stalled) { stalled_ = stalled; }
  bool stalled() const { return stalled_; }

 private:
  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::deque<IncomingBatch> queue_;
  std::size_t queued_bytes_ = 0;
  std::size_t taken_bytes_ = 0;    // taken by the writer, not yet Done()
  std::deque<std::size_t> taken_;  // the bytes of each batch taken, not yet Done()
  bool closed_ = false;
  std::atomic<bool> stalled_{false};
};

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_INGEST_QUEUE_H_
