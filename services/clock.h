// Clock: where the engine gets the time, so that tests can fix it.

#ifndef THROUGHLINE_SERVICES_CLOCK_H_
#define THROUGHLINE_SERVICES_CLOCK_H_

#include <atomic>
#include <chrono>

#include "events/calendar.h"

namespace throughline::services {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual events::Timestamp Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  events::Timestamp Now() const override {
    using namespace std::chrono;
    return {duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count()};
  }
};

// A clock that only moves when told to.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(events::Timestamp start) : now_(start.unix_ms) {}
  events::Timestamp Now() const override { return {now_.load()}; }
  void Advance(std::int64_t ms) { now_ += ms; }

 private:
  std::atomic<std::int64_t> now_;
};

}  // namespace throughline::services

#endif  // THROUGHLINE_SERVICES_CLOCK_H_
