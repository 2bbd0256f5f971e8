#include "services/ingest_queue.h"

namespace throughline::services {

void IngestQueue::Push(IncomingBatch batch) {
  {
    std::lock_guard lock(mu_);
    queued_bytes_ += batch.bytes;
    queue_.push_back(std::move(batch));
  }
  changed_.notify_all();
}

std::optional<IncomingBatch> IngestQueue::Take(std::chrono::milliseconds timeout,
                                               std::size_t max_messages) {
  std::unique_lock lock(mu_);
  changed_.wait_for(lock, timeout, [&] { return closed_ || !queue_.empty(); });
  if (queue_.empty())
    return std::nullopt;
  IncomingBatch batch = std::move(queue_.front());
  queue_.pop_front();
  while (!queue_.empty() &&
         batch.messages.size() + queue_.front().messages.size() <= max_messages) {
    batch.Append(std::move(queue_.front()));
    queue_.pop_front();
  }
  queued_bytes_ -= batch.bytes;
  taken_bytes_ += batch.bytes;
  taken_.push_back(batch.bytes);
  lock.unlock();
  changed_.notify_all();
  return batch;
}

void IngestQueue::Done() {
  {
    std::lock_guard lock(mu_);
    if (!taken_.empty()) {
      taken_bytes_ -= taken_.front();
      taken_.pop_front();
    }
  }
  changed_.notify_all();
}

std::size_t IngestQueue::bytes() const {
  std::lock_guard lock(mu_);
  return queued_bytes_ + taken_bytes_;
}

bool IngestQueue::idle() const {
  std::lock_guard lock(mu_);
  return queue_.empty() && taken_.empty();
}

bool IngestQueue::WaitBytesAtMost(std::size_t bytes, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return changed_.wait_for(lock, timeout, [&] {
    return closed_ || queued_bytes_ + taken_bytes_ <= bytes;
  }) && !closed_;
}

bool IngestQueue::WaitDrained(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return changed_.wait_for(lock, timeout, [&] {
    return closed_ || (queue_.empty() && taken_.empty());
  }) && !closed_;
}

bool IngestQueue::WaitQueuedAtMost(std::size_t batches) {
  std::unique_lock lock(mu_);
  changed_.wait(lock, [&] { return closed_ || queue_.size() <= batches; });
  return !closed_;
}

void IngestQueue::Close() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  changed_.notify_all();
}

}  // namespace throughline::services
