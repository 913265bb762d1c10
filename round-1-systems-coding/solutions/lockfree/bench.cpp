// Throughput of the queues side by side: ours, boost::lockfree, and a std::mutex + std::queue baseline.
//
//   bench spsc|mpmc ITEMS REPS PRODUCERS CONSUMERS CAPACITY
//
// spsc: infraprep::SpscRing vs boost::lockfree::spsc_queue vs mutex queue (1 producer, 1 consumer).
// mpmc: infraprep::MpmcQueue vs boost::lockfree::queue (bounded_push: no allocation) vs mutex queue.
// One operation = one item moved (a push and its pop). Each rep runs every contender once, in turn, so
// a burst of load from other processes hits all of them alike; the best rep per contender is kept.
// Every run checks that the consumers' sum equals the producers' (nothing lost or duplicated). When the
// threads fit on the process's CPUs one each, each is pinned to its own ("pinned" in the output).
// Prints one JSON object. boost is optional: without its headers the boost rows are absent and
// "boost" is false. Build: g++ -std=c++17 -O2 -pthread bench.cpp
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <queue>
#include <string>
#include <thread>
#include <vector>

#include "driver_support.hpp"
#include "mpmc_queue.hpp"
#include "spsc_ring.hpp"

// -DINFRAPREP_NO_BOOST builds without boost even where it is installed (tests of the fallback).
#if !defined(INFRAPREP_NO_BOOST) && __has_include(<boost/lockfree/queue.hpp>) && \
    __has_include(<boost/lockfree/spsc_queue.hpp>)
#include <boost/lockfree/queue.hpp>
#include <boost/lockfree/spsc_queue.hpp>
#include <boost/version.hpp>
#define INFRAPREP_HAVE_BOOST 1
#else
#define INFRAPREP_HAVE_BOOST 0
#endif

namespace {

using infraprep::driver::Backoff;
using infraprep::driver::Json;

// The baseline: one lock around a std::queue, bounded like the others so producers cannot run ahead.
class MutexQueue {
 public:
  explicit MutexQueue(std::size_t capacity) : capacity_(capacity) {}
  bool try_push(std::uint64_t value) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (queue_.size() == capacity_) return false;
    queue_.push(value);
    return true;
  }
  bool try_pop(std::uint64_t& out) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (queue_.empty()) return false;
    out = queue_.front();
    queue_.pop();
    return true;
  }

 private:
  std::mutex mutex_;
  std::queue<std::uint64_t> queue_;
  const std::size_t capacity_;
};

#if INFRAPREP_HAVE_BOOST
class BoostSpsc {
 public:
  explicit BoostSpsc(std::size_t capacity) : queue_(capacity) {}
  bool try_push(std::uint64_t value) { return queue_.push(value); }
  bool try_pop(std::uint64_t& out) { return queue_.pop(out); }

 private:
  boost::lockfree::spsc_queue<std::uint64_t> queue_;
};

class BoostQueue {
 public:
  explicit BoostQueue(std::size_t capacity) : queue_(capacity) {}
  bool try_push(std::uint64_t value) { return queue_.bounded_push(value); }
  bool try_pop(std::uint64_t& out) { return queue_.pop(out); }

 private:
  boost::lockfree::queue<std::uint64_t> queue_;
};
#endif

constexpr std::uint64_t kFlushEvery = 256;

struct Sample {
  double seconds;
  bool checksum_ok;
  bool pinned;  // every thread ran pinned to a CPU of its own (driver_support.hpp, pin_thread)
};

// Moves `items` values 1..items from `producers` threads to `consumers` threads through a fresh Queue.
template <class Queue>
Sample run_once(std::size_t capacity, std::uint64_t items, unsigned producers, unsigned consumers) {
  // Harness atomics: `go` release/acquire (threads start after the setup); the counters relaxed
  // (read after join(), which synchronizes; the stop test only needs the count to get there).
  Queue queue(capacity);
  std::atomic<bool> go{false};
  std::atomic<std::uint64_t> popped{0}, popped_sum{0};
  std::atomic<unsigned> pinned{0};
  std::vector<std::thread> threads;
  const unsigned total = producers + consumers;
  for (unsigned p = 0; p < producers; ++p) {
    threads.emplace_back([&, p] {
      if (infraprep::driver::pin_thread(p, total)) pinned.fetch_add(1, std::memory_order_relaxed);
      while (!go.load(std::memory_order_acquire)) infraprep::driver::cpu_relax();
      for (std::uint64_t v = p + 1; v <= items; v += producers) {
        Backoff backoff;
        while (!queue.try_push(v)) backoff.pause();
      }
    });
  }
  for (unsigned c = 0; c < consumers; ++c) {
    threads.emplace_back([&, c] {
      if (infraprep::driver::pin_thread(producers + c, total)) pinned.fetch_add(1, std::memory_order_relaxed);
      while (!go.load(std::memory_order_acquire)) infraprep::driver::cpu_relax();
      // The shared count of popped items tells consumers when to stop. It is updated in batches (and
      // whenever the queue looks empty) so that the harness adds no atomic read-modify-write per item.
      std::uint64_t sum = 0, value = 0, unflushed = 0;
      Backoff backoff;
      for (;;) {
        if (queue.try_pop(value)) {
          sum += value;
          if (++unflushed == kFlushEvery) {
            popped.fetch_add(unflushed, std::memory_order_relaxed);
            unflushed = 0;
          }
          backoff = Backoff{};
          continue;
        }
        if (unflushed != 0) {
          popped.fetch_add(unflushed, std::memory_order_relaxed);
          unflushed = 0;
        }
        if (popped.load(std::memory_order_relaxed) >= items) break;
        backoff.pause();
      }
      popped_sum.fetch_add(sum, std::memory_order_relaxed);
    });
  }
  const auto start = std::chrono::steady_clock::now();
  go.store(true, std::memory_order_release);
  for (auto& t : threads) t.join();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return {seconds, popped_sum.load() == items * (items + 1) / 2, pinned.load() == total};
}

struct Contender {
  std::string name;
  Sample (*run)(std::size_t, std::uint64_t, unsigned, unsigned);
  std::vector<double> ops_per_s;
  bool checksum_ok = true;
  bool pinned = true;
};

std::string array(const std::vector<double>& values) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i) out += (i ? ", " : "") + infraprep::driver::number(values[i]);
  return out + "]";
}

}  // namespace

int main(int argc, char** argv) {
  const char* text = "bench spsc|mpmc ITEMS REPS PRODUCERS CONSUMERS CAPACITY";
  if (argc != 7) infraprep::driver::usage(text);
  const std::string kind = argv[1];
  const std::uint64_t items = infraprep::driver::arg_u64(argv[2], "ITEMS");
  const std::uint64_t reps = infraprep::driver::arg_u64(argv[3], "REPS");
  const auto producers = static_cast<unsigned>(infraprep::driver::arg_u64(argv[4], "PRODUCERS"));
  const auto consumers = static_cast<unsigned>(infraprep::driver::arg_u64(argv[5], "CONSUMERS"));
  const std::uint64_t capacity = infraprep::driver::arg_u64(argv[6], "CAPACITY", 2);
  if (!infraprep::is_power_of_two(capacity)) {
    std::fprintf(stderr, "CAPACITY=%s is not valid: expected a power of two >= 2\n", argv[6]);
    return 2;
  }

  std::vector<Contender> contenders;
  if (kind == "spsc") {
    if (producers != 1 || consumers != 1) {
      std::fprintf(stderr, "spsc takes exactly 1 producer and 1 consumer\n");
      return 2;
    }
    contenders.push_back({"infraprep::SpscRing", run_once<infraprep::SpscRing<std::uint64_t>>, {}});
#if INFRAPREP_HAVE_BOOST
    contenders.push_back({"boost::lockfree::spsc_queue", run_once<BoostSpsc>, {}});
#endif
  } else if (kind == "mpmc") {
    contenders.push_back({"infraprep::MpmcQueue", run_once<infraprep::MpmcQueue<std::uint64_t>>, {}});
#if INFRAPREP_HAVE_BOOST
    contenders.push_back({"boost::lockfree::queue", run_once<BoostQueue>, {}});
#endif
  } else {
    infraprep::driver::usage(text);
  }
  contenders.push_back({"std::mutex+std::queue", run_once<MutexQueue>, {}});

  for (std::uint64_t rep = 0; rep < reps; ++rep) {
    for (auto& c : contenders) {
      const Sample s = c.run(capacity, items, producers, consumers);
      c.ops_per_s.push_back(items / s.seconds);
      c.checksum_ok = c.checksum_ok && s.checksum_ok;
      c.pinned = c.pinned && s.pinned;
    }
  }

  std::string rows = "[";
  for (std::size_t i = 0; i < contenders.size(); ++i) {
    const auto& c = contenders[i];
    Json row;
    row.add("name", c.name)
        .add("best_ops_per_s", *std::max_element(c.ops_per_s.begin(), c.ops_per_s.end()))
        .raw("ops_per_s", array(c.ops_per_s))
        .add("checksum_ok", c.checksum_ok);
    rows += (i ? ", " : "") + row.str();
  }
  Json out;
  out.add("kind", kind).add("items", items).add("reps", reps).add("producers", static_cast<std::uint64_t>(producers))
      .add("consumers", static_cast<std::uint64_t>(consumers)).add("capacity", capacity)
      .add("boost", static_cast<bool>(INFRAPREP_HAVE_BOOST))
      .add("pinned", std::all_of(contenders.begin(), contenders.end(), [](const Contender& c) { return c.pinned; }))
#if INFRAPREP_HAVE_BOOST
      .add("boost_version", std::to_string(BOOST_VERSION / 100000) + "." + std::to_string(BOOST_VERSION / 100 % 1000))
#endif
      .raw("contenders", rows + "]");
  out.print();
  return 0;
}
