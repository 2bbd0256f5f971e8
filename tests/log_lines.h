// LogLines: the engine's log lines written while it lives, captured for a test to read. It takes
// the place of spdlog's default logger and of the one named "throughline" (where the engine's
// log goes, and RocksDB's with it: services/rocks_logger.h), and puts both back when it goes.
// Behind a lock: RocksDB's threads log too, beside the test's own.

#ifndef THROUGHLINE_TESTS_LOG_LINES_H_
#define THROUGHLINE_TESTS_LOG_LINES_H_

#include <cstddef>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <string_view>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

namespace throughline::testing {

class LogLines {
 public:
  // `pattern` as spdlog's: "%v" is the line alone, "%l %v" its level first.
  explicit LogLines(const std::string& pattern = "%v")
      : previous_(spdlog::default_logger()), previous_named_(spdlog::get(kNamed)) {
    auto logger = std::make_shared<spdlog::logger>(kNamed, sink_);
    logger->set_pattern(pattern);
    logger->set_level(spdlog::level::info);
    spdlog::drop(kNamed);
    spdlog::register_logger(logger);
    spdlog::set_default_logger(logger);
  }
  ~LogLines() {
    spdlog::drop(kNamed);
    if (previous_named_)
      spdlog::register_logger(previous_named_);
    spdlog::set_default_logger(previous_);
  }
  LogLines(const LogLines&) = delete;
  LogLines& operator=(const LogLines&) = delete;

  std::string Text() const { return sink_->Text(); }

  // Lines that start with `prefix` and a space ("alert.raised", "info rocksdb", ...).
  std::size_t Count(std::string_view prefix) const {
    std::istringstream lines(sink_->Text());
    std::size_t n = 0;
    for (std::string line; std::getline(lines, line);)
      n += line.starts_with(std::string(prefix) + " ");
    return n;
  }

 private:
  static constexpr const char* kNamed = "throughline";

  class Sink : public spdlog::sinks::base_sink<std::mutex> {
   public:
    std::string Text() {
      std::lock_guard lock(mutex_);
      return text_;
    }

   protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
      spdlog::memory_buf_t line;
      formatter_->format(msg, line);
      text_.append(line.data(), line.size());
    }
    void flush_() override {}

   private:
    std::string text_;
  };

  std::shared_ptr<Sink> sink_ = std::make_shared<Sink>();
  std::shared_ptr<spdlog::logger> previous_;
  std::shared_ptr<spdlog::logger> previous_named_;
};

}  // namespace throughline::testing

#endif  // THROUGHLINE_TESTS_LOG_LINES_H_
