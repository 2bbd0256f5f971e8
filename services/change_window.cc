#include "services/change_window.h"

#include <algorithm>

#include "services/subscription.h"
#include "services/thread_name.h"

namespace throughline::services {

namespace {

// Records read in one round: one MultiGet of records, one of views.
constexpr std::size_t kRound = 512;

}  // namespace

std::string ChangeWindow::Entry::Message(DataClasses classes, events::Timestamp now) const {
  std::lock_guard lock(mu_);
  for (const auto& [c, message] : messages_) {
    if (c == classes)
      return message;
  }
  messages_.emplace_back(classes, ChangeMessage(change_, classes, now));
  return messages_.back().second;
}

ChangeWindow::ChangeWindow(const EventStore* store, std::size_t capacity,
                           std::function<void()> extended)
    : store_(store),
      capacity_(std::max<std::size_t>(capacity, kRound)),
      extended_(std::move(extended)),
      first_(store->state().next_sequence),
      last_(first_ - 1),
      target_(last_),
      thread_([this] {
        NameThisThread("tl-changewindow");
        Run();
      }) {}

ChangeWindow::~ChangeWindow() { Stop(); }

void ChangeWindow::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

void ChangeWindow::Committed(std::uint64_t last, bool wanted, std::vector<LogChange> changes) {
  bool handed = false, wake = false;
  std::deque<std::shared_ptr<const Entry>> dropped;
  {
    std::lock_guard lock(mu_);
    target_ = std::max(target_, last);
    wanted_ = wanted;
    if (!wanted_ && entries_.empty()) {
      // No one follows: nothing to read, and the window starts at the log's end when someone
      // does (or where they start, Follow). A round being read meanwhile is dropped (Run).
      last_ = target_;
      first_ = last_ + 1;
    } else if (wanted_ && !changes.empty() && changes.front().sequence == last_ + 1 &&
               changes.back().sequence == last && target_ == last) {
      // The writer's own changes, right after what the window holds. A round the window's
      // thread is reading meanwhile is older (it reads up to the target before this one), and
      // it drops the round when it sees the window moved on (Run).
      for (auto& change : changes)
        entries_.push_back(std::make_shared<const Entry>(std::move(change)));
      last_ = last;
      Trim(&dropped);
      handed = true;
    }
    // The window's thread has work only when Run's wait would end: waking it otherwise, once a
    // batch with no one following, cost a context switch each time for nothing.
    wake = !handed && (wanted_ ? target_ > last_ : !entries_.empty());
  }
  if (wake)
    cv_.notify_all();
  dropped.clear();
  if (!wanted || handed)
    extended_();  // !wanted: a subscriber that came meanwhile now reads the store up to `last`
}

void ChangeWindow::Trim(std::deque<std::shared_ptr<const Entry>>* dropped) {
  while (entries_.size() > capacity_) {
    first_ = entries_.front()->change().sequence + 1;
    dropped->push_back(std::move(entries_.front()));
    entries_.pop_front();
  }
}

void ChangeWindow::Follow(std::uint64_t from) {
  {
    std::lock_guard lock(mu_);
    wanted_ = true;
    if (entries_.empty() && from < first_) {
      const std::uint64_t oldest = target_ >= capacity_ ? target_ - capacity_ + 1 : 1;
      first_ = std::max(from, oldest);
      last_ = first_ - 1;
    }
  }
  cv_.notify_all();
}

bool ChangeWindow::Read(std::uint64_t from, std::size_t max, Entries* out,
                        std::uint64_t* through) const {
  std::lock_guard lock(mu_);
  if (from < first_) {
    *through = first_ - 1;
    return false;
  }
  auto it = std::lower_bound(entries_.begin(), entries_.end(), from,
                             [](const std::shared_ptr<const Entry>& e, std::uint64_t s) {
                               return e->change().sequence < s;
                             });
  *through = from - 1;
  for (; it != entries_.end() && out->size() < max; ++it) {
    out->push_back(*it);
    *through = (*it)->change().sequence;
  }
  if (it == entries_.end())
    *through = std::max(*through, last_);  // covers unreadable records at the end too
  return true;
}

void ChangeWindow::Run() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [&] {
      return stopping_ || (wanted_ && target_ > last_) || (!wanted_ && !entries_.empty());
    });
    if (stopping_)
      return;
    if (!wanted_) {
      // No one follows any more: let the entries go.
      std::deque<std::shared_ptr<const Entry>> dropped;
      dropped.swap(entries_);
      last_ = target_;
      first_ = last_ + 1;
      lock.unlock();
      dropped.clear();
      extended_();  // one that came meanwhile reads the store now
      lock.lock();
      continue;
    }
    const std::uint64_t from = last_ + 1;
    const std::uint64_t to = std::min(target_, last_ + kRound);
    lock.unlock();
    std::vector<LogChange> changes = ReadLogChanges(*store_, from, to, kRound, "subscriptions");
    std::deque<std::shared_ptr<const Entry>> dropped;
    lock.lock();
    if (last_ + 1 != from)
      continue;  // emptied meanwhile, no one following
    for (auto& change : changes)
      entries_.push_back(std::make_shared<const Entry>(std::move(change)));
    last_ = to;
    Trim(&dropped);
    lock.unlock();
    dropped.clear();
    extended_();
    lock.lock();
  }
}

}  // namespace throughline::services
