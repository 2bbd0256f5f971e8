// ChangeWindow: the newest stretch of the log, read once and shared by every WebSocket
// subscriber (subscription.h). Each subscriber used to read and filter every record itself, so
// 200 of them cost 200 reads of each record on the HTTP threads and fell behind a full-rate
// ingest; now one thread reads each record and its person's state once, and a subscriber only
// filters what is in memory. Better still, the writer hands over each batch's changes as it
// had them (Committed), and then nothing is read back at all. A message is rendered once per
// set of data classes, however many subscribers with those classes it goes to.
//
// The window holds at most `capacity` records, and only while someone subscribes. A subscriber
// whose cursor is older than the window (it asked for from=N, or fell behind) reads the store
// itself until it reaches the window: slower, never different.

#ifndef THROUGHLINE_SERVICES_CHANGE_WINDOW_H_
#define THROUGHLINE_SERVICES_CHANGE_WINDOW_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "services/access.h"
#include "services/event_store.h"
#include "services/log_changes.h"

namespace throughline::services {

class ChangeWindow {
 public:
  // One change, shared by the subscribers it goes to.
  class Entry {
   public:
    explicit Entry(LogChange change) : change_(std::move(change)) {}
    const LogChange& change() const { return change_; }
    // subscription.h's ChangeMessage, rendered on first use for `classes` and kept: `now` is
    // the first asker's (it ages the view and decides which alerts are up).
    std::string Message(DataClasses classes, events::Timestamp now) const;

   private:
    LogChange change_;
    mutable std::mutex mu_;
    mutable std::vector<std::pair<DataClasses, std::string>> messages_;
  };
  using Entries = std::vector<std::shared_ptr<const Entry>>;

  // `extended` is called each time the window holds more: on its own thread when it has read
  // more, on Committed's when it was handed more.
  ChangeWindow(const EventStore* store, std::size_t capacity, std::function<void()> extended);
  ~ChangeWindow();  // Stop()
  ChangeWindow(const ChangeWindow&) = delete;
  ChangeWindow& operator=(const ChangeWindow&) = delete;

  // The log holds records up to `last`. `wanted`: whether anyone subscribes; while no one does,
  // the window holds and reads nothing. `changes`, when given, are the writer's own of the
  // records up to `last` (Projector::TakeChanges): when they follow what the window holds, it
  // takes them and calls `extended` on the caller's thread, rather than read them back.
  void Committed(std::uint64_t last, bool wanted, std::vector<LogChange> changes = {});

  // A subscriber starts reading at `from`. While the window holds nothing, it starts there (or
  // `capacity` records before the log's end, if that is later) rather than at the log's end, so
  // that the subscriber does not begin behind it.
  void Follow(std::uint64_t from);

  // The window's changes from `from` on, at most `max`, into `*out`, and in `*through` the last
  // sequence that covers (from - 1: nothing there yet). False when `from` is older than the
  // window: read the store up to `*through` (ReadLogChanges), then ask again.
  bool Read(std::uint64_t from, std::size_t max, Entries* out, std::uint64_t* through) const;

  void Stop();

 private:
  void Run();
  // Past capacity, the oldest entries move into `dropped`, to be let go outside the lock.
  void Trim(std::deque<std::shared_ptr<const Entry>>* dropped);

  const EventStore* store_;
  const std::size_t capacity_;
  const std::function<void()> extended_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::shared_ptr<const Entry>> entries_;  // in sequence order; unreadable ones absent
  std::uint64_t first_;                               // the window covers first_..last_
  std::uint64_t last_;                                // (empty when first_ == last_ + 1)
  std::uint64_t target_;                              // the log's last committed sequence
  bool wanted_ = false;
  bool stopping_ = false;
  std::thread thread_;  // last: it uses the members above
};

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_CHANGE_WINDOW_H_
