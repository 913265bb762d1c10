// Stress test: producers and consumers move unique items through one structure, and every item is
// accounted for: nothing lost, nothing duplicated, nothing torn, per-producer FIFO where promised.
//
//   stress STRUCTURE VARIANT PRODUCERS CONSUMERS ITEMS_PER_PRODUCER CAPACITY STALL_MS
//     STRUCTURE  spsc | mpmc | stack        VARIANT  correct | broken
//
// Prints one JSON object. Exit status 0 whether or not the invariants held (the verdict is "ok" in
// the JSON); 2 on bad arguments. Build: g++ -std=c++17 -O2 -pthread stress.cpp
// (add -fsanitize=thread -g -O1 for the ThreadSanitizer run).
//
// Item i (1-based, i = p * ITEMS_PER_PRODUCER + s + 1 for producer p's s-th item) carries
// check = mix(i); a consumer that reads a slot before (or while) it is written sees a pair that fails
// the check ("torn"). seen[i] counts deliveries: 0 at the end is a lost item, 2+ a duplicate.
// A watchdog stops the run when no item has been delivered for STALL_MS ("timed_out"): a broken stack
// can lose nodes, and then producers (no free node) and consumers (no item) would wait forever.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "driver_support.hpp"
#include "mpmc_queue.hpp"
#include "spsc_ring.hpp"
#include "treiber_stack.hpp"

namespace {

using infraprep::driver::Backoff;
using infraprep::driver::Json;

struct Item {
  std::uint64_t id;
  std::uint64_t check;
};

// A bijection on 64-bit words (odd multiplier): distinct ids have distinct checks.
constexpr std::uint64_t mix(std::uint64_t id) { return id * 0x9E3779B97F4A7C15ull; }

// The stacks run under an adversarial schedule: every kPreemptEvery-th pop of a list yields the CPU
// between reading the top node's link and the CAS, the window in which ABA strikes. Left to the OS,
// a preemption lands in that few-nanosecond window too rarely to show the bug in a short run; the
// correct (tagged) stack runs under exactly the same schedule and must stay clean.
template <class Stack>
class Preempting {
 public:
  static constexpr unsigned kPreemptEvery = 8;
  explicit Preempting(std::size_t capacity) : stack_(capacity) {}
  bool try_push(const Item& item) { return stack_.try_push(item, preempt); }
  bool try_pop(Item& item) { return stack_.try_pop(item, preempt); }

 private:
  static void preempt() {
    thread_local unsigned calls = 0;
    if (++calls % kPreemptEvery == 0) std::this_thread::sleep_for(std::chrono::microseconds(20));
  }
  Stack stack_;
};

struct Counts {
  std::uint64_t popped = 0, sum = 0, torn = 0, duplicates = 0, order_violations = 0;
};

// Runs the stress on `queue` and adds the verdict to `out`.
template <class Queue>
void run(Queue& queue, unsigned producers, unsigned consumers, std::uint64_t per_producer,
         std::chrono::milliseconds timeout, bool fifo, Json& out) {
  // The harness's own atomics: `go` is release/acquire so every thread starts after the setup;
  // `popped`, `pushed` and the `seen` counts are relaxed (read-modify-writes on one object are totally
  // ordered, so a second delivery of an id always sees the first; the totals are read after join(),
  // which synchronizes); `stop` is relaxed (a request to give up, ordering nothing); `finished` is
  // release/acquire so the watchdog's view of "all done" includes the threads' last writes.
  const std::uint64_t total = producers * per_producer;
  std::unique_ptr<std::atomic<std::uint8_t>[]> seen(new std::atomic<std::uint8_t>[total + 1]());
  std::atomic<bool> go{false}, stop{false};
  std::atomic<std::uint64_t> popped{0}, pushed{0};
  std::atomic<unsigned> finished{0};
  std::vector<Counts> counts(consumers);
  std::vector<std::thread> threads;

  for (unsigned p = 0; p < producers; ++p) {
    threads.emplace_back([&, p] {
      while (!go.load(std::memory_order_acquire)) infraprep::driver::cpu_relax();
      std::uint64_t done = 0;
      for (std::uint64_t s = 0; s < per_producer && !stop.load(std::memory_order_relaxed); ++s) {
        const std::uint64_t id = p * per_producer + s + 1;
        Backoff backoff;
        while (!queue.try_push(Item{id, mix(id)})) {
          if (stop.load(std::memory_order_relaxed)) break;
          backoff.pause();
        }
        done += !stop.load(std::memory_order_relaxed);
      }
      pushed.fetch_add(done, std::memory_order_relaxed);
      finished.fetch_add(1, std::memory_order_release);
    });
  }
  for (unsigned c = 0; c < consumers; ++c) {
    threads.emplace_back([&, c] {
      while (!go.load(std::memory_order_acquire)) infraprep::driver::cpu_relax();
      Counts mine;
      std::vector<std::uint64_t> last(producers, 0);  // highest sequence seen per producer, 1-based
      Backoff backoff;
      while (popped.load(std::memory_order_relaxed) < total && !stop.load(std::memory_order_relaxed)) {
        Item item{};
        if (!queue.try_pop(item)) {
          backoff.pause();
          continue;
        }
        backoff = Backoff{};
        popped.fetch_add(1, std::memory_order_relaxed);
        ++mine.popped;
        if (item.id == 0 || item.id > total || item.check != mix(item.id)) {
          ++mine.torn;
          continue;
        }
        mine.sum += item.id;
        if (seen[item.id].fetch_add(1, std::memory_order_relaxed) != 0) ++mine.duplicates;
        const std::uint64_t producer = (item.id - 1) / per_producer, seq = (item.id - 1) % per_producer + 1;
        if (fifo && seq <= last[producer]) ++mine.order_violations;
        if (seq > last[producer]) last[producer] = seq;
      }
      counts[c] = mine;
      finished.fetch_add(1, std::memory_order_release);
    });
  }

  const auto start = std::chrono::steady_clock::now();
  go.store(true, std::memory_order_release);
  bool timed_out = false;  // "stalled": no item delivered for `timeout`
  auto last_progress = start;
  std::uint64_t last_popped = 0;
  while (finished.load(std::memory_order_acquire) < producers + consumers) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    const auto now = std::chrono::steady_clock::now();
    const std::uint64_t now_popped = popped.load(std::memory_order_relaxed);
    if (now_popped != last_popped) {
      last_popped = now_popped;
      last_progress = now;
    } else if (now - last_progress > timeout) {
      timed_out = true;
      stop.store(true, std::memory_order_relaxed);
      break;
    }
  }
  for (auto& t : threads) t.join();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  Counts all;
  for (const auto& c : counts) {
    all.popped += c.popped;
    all.sum += c.sum;
    all.torn += c.torn;
    all.duplicates += c.duplicates;
    all.order_violations += c.order_violations;
  }
  std::uint64_t lost = 0;
  for (std::uint64_t i = 1; i <= total; ++i) lost += seen[i].load(std::memory_order_relaxed) == 0;
  // Sum of 1..total in 64-bit arithmetic (wraps identically to the consumers' sums).
  const std::uint64_t expected_sum = total % 2 == 0 ? (total / 2) * (total + 1) : total * ((total + 1) / 2);
  const bool ok = !timed_out && all.popped == total && all.torn == 0 && all.duplicates == 0 && lost == 0 &&
                  all.order_violations == 0 && all.sum == expected_sum;
  out.add("items", total)
      .add("pushed", pushed.load())
      .add("popped", all.popped)
      .add("expected_sum", expected_sum)
      .add("popped_sum", all.sum)
      .add("lost", lost)
      .add("duplicates", all.duplicates)
      .add("torn", all.torn)
      .add("order_violations", all.order_violations)
      .add("fifo_checked", fifo)
      .add("timed_out", timed_out)
      .add("seconds", seconds)
      .add("ok", ok);
}

}  // namespace

int main(int argc, char** argv) {
  const char* text = "stress spsc|mpmc|stack correct|broken PRODUCERS CONSUMERS ITEMS_PER_PRODUCER CAPACITY STALL_MS";
  if (argc != 8) infraprep::driver::usage(text);
  const std::string structure = argv[1], variant = argv[2];
  if (variant != "correct" && variant != "broken") infraprep::driver::usage(text);
  const bool correct = variant == "correct";
  const auto producers = static_cast<unsigned>(infraprep::driver::arg_u64(argv[3], "PRODUCERS"));
  const auto consumers = static_cast<unsigned>(infraprep::driver::arg_u64(argv[4], "CONSUMERS"));
  const std::uint64_t per_producer = infraprep::driver::arg_u64(argv[5], "ITEMS_PER_PRODUCER");
  const std::uint64_t capacity = infraprep::driver::arg_u64(argv[6], "CAPACITY", 2);
  const std::chrono::milliseconds timeout(infraprep::driver::arg_u64(argv[7], "STALL_MS"));
  if (!infraprep::is_power_of_two(capacity)) {
    std::fprintf(stderr, "CAPACITY=%s is not valid: expected a power of two >= 2\n", argv[6]);
    return 2;
  }

  Json result;
  result.add("structure", structure).add("variant", variant).add("producers", static_cast<std::uint64_t>(producers))
      .add("consumers", static_cast<std::uint64_t>(consumers)).add("capacity", capacity);
  if (structure == "spsc") {
    if (producers != 1 || consumers != 1) {
      std::fprintf(stderr, "spsc takes exactly 1 producer and 1 consumer\n");
      return 2;
    }
    if (correct) {
      infraprep::SpscRing<Item> ring(capacity);
      run(ring, 1, 1, per_producer, timeout, true, result);
    } else {
      infraprep::broken::SpscRing<Item> ring(capacity);
      run(ring, 1, 1, per_producer, timeout, true, result);
    }
  } else if (structure == "mpmc") {
    // Vyukov's queue keeps each producer's items in order for every consumer: positions are claimed
    // in increasing order per producer and each consumer claims increasing positions.
    if (correct) {
      infraprep::MpmcQueue<Item> queue(capacity);
      run(queue, producers, consumers, per_producer, timeout, true, result);
    } else {
      infraprep::broken::MpmcQueue<Item> queue(capacity);
      run(queue, producers, consumers, per_producer, timeout, true, result);
    }
  } else if (structure == "stack") {
    if (correct) {
      Preempting<infraprep::TreiberStack<Item>> stack(capacity);
      run(stack, producers, consumers, per_producer, timeout, false, result);
    } else {
      Preempting<infraprep::broken::TreiberStackNoTag<Item>> stack(capacity);
      run(stack, producers, consumers, per_producer, timeout, false, result);
    }
  } else {
    infraprep::driver::usage(text);
  }
  result.print();
  return 0;
}
