// Memory-order litmus tests: run a two-thread test many times and count every outcome.
//
//   litmus sb|mp relaxed|acq_rel|seq_cst ITERATIONS
//
// Store buffering (SB; Intel SDM vol. 3A §8.2.3.4, "Loads May Be Reordered with Earlier Stores to
// Different Locations"; the "SB" test of Owens, Sarkar and Sewell, "A Better x86 Memory Model:
// x86-TSO", TPHOLs 2009):
//     thread 0: x = 1; a = y          thread 1: y = 1; b = x          forbidden under SC: a == 0 && b == 0
// Message passing (MP; Intel SDM §8.2.3.2, "Neither Loads Nor Stores Are Reordered with Like
// Operations"):
//     thread 0: data = 1; flag = 1    thread 1: a = flag; b = data    forbidden: a == 1 && b == 0
//
// ORDER picks the orders of the x/y (SB) or flag (MP) accesses: relaxed; acq_rel (release stores,
// acquire loads); seq_cst. MP's data accesses are always relaxed. What C++ allows (C++17
// [atomics.order]): SB's (0, 0) under relaxed and acq_rel but not seq_cst (release/acquire never
// orders a store before a later load); MP's (1, 0) under relaxed only. What x86-64 shows (TSO: each
// core's stores wait in a FIFO store buffer, and a core's loads may pass its own buffered stores):
// SB's (0, 0) with relaxed and acq_rel (plain MOVs), never with seq_cst (GCC emits MFENCE or XCHG for
// the seq_cst store); MP's (1, 0) never (stores leave the buffer in order, loads are not reordered).
//
// The two threads are pinned to two different CPUs when the affinity mask allows and meet at a
// spin barrier before every iteration, so their bodies run at the same moment; a reordering is only
// visible if they really overlap. The count of SB's (1, 1) outcome (both stores before both loads)
// is evidence that they did.
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>
#include <sched.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "cache_line.hpp"
#include "driver_support.hpp"

namespace {

using infraprep::kCacheLine;

struct alignas(kCacheLine) Cell {
  std::atomic<int> value{0};
};

struct alignas(kCacheLine) Flag {
  std::atomic<std::uint64_t> epoch{0};
};

struct Shared {
  Cell x, y;         // SB: x, y      MP: x = data, y = flag (each on its own cache line)
  Flag arrived[2];   // the barrier: the last round each thread reached
  alignas(kCacheLine) int b = 0;  // thread 1's result, read by thread 0 after the barrier
};

// Two-thread barrier for round `epoch`: announce arrival, wait for the other thread's.
// release/acquire: everything before the barrier (the reset, thread 1's result) is visible after it.
void barrier(Shared& s, int me, std::uint64_t epoch) {
  s.arrived[me].epoch.store(epoch, std::memory_order_release);
  while (s.arrived[1 - me].epoch.load(std::memory_order_acquire) < epoch) infraprep::driver::cpu_relax();
}

template <std::memory_order Store, std::memory_order Load>
struct StoreBuffering {
  static int thread0(Shared& s) {
    s.x.value.store(1, Store);
    return s.y.value.load(Load);
  }
  static int thread1(Shared& s) {
    s.y.value.store(1, Store);
    return s.x.value.load(Load);
  }
  static constexpr int kForbiddenA = 0, kForbiddenB = 0;
};

template <std::memory_order Store, std::memory_order Load>
struct MessagePassing {
  static int thread0(Shared& s) {
    s.x.value.store(1, std::memory_order_relaxed);  // data
    s.y.value.store(1, Store);                      // flag
    return 0;
  }
  static int thread1(Shared& s) {  // returns a * 2 + b: a = flag seen, b = data seen
    const int flag = s.y.value.load(Load);
    const int data = s.x.value.load(std::memory_order_relaxed);
    return flag * 2 + data;
  }
  static constexpr int kForbiddenA = 1, kForbiddenB = 0;
};

// Pins the calling thread to `cpu` (-1: leave it to the scheduler). Returns whether it is pinned.
bool pin_self(int cpu) {
  if (cpu < 0) return false;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return pthread_setaffinity_np(pthread_self(), sizeof(set), &set) == 0;
}

template <class Test, bool kMessagePassing>
void run(std::uint64_t iterations, infraprep::driver::Json& out) {
  Shared s;
  std::uint64_t counts[2][2] = {{0, 0}, {0, 0}};
  std::vector<int> cpus;
  cpu_set_t mask;
  if (sched_getaffinity(0, sizeof(mask), &mask) == 0)
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
      if (CPU_ISSET(cpu, &mask)) cpus.push_back(cpu);

  // Two distinct CPUs if the mask has them; otherwise both threads share whatever the OS gives.
  const bool two_cpus = cpus.size() >= 2;
  std::atomic<int> pinned{0};
  std::thread t0([&] {
    pinned += pin_self(two_cpus ? cpus[0] : -1);
    for (std::uint64_t i = 0; i < iterations; ++i) {
      s.x.value.store(0, std::memory_order_relaxed);  // reset; published by the barrier
      s.y.value.store(0, std::memory_order_relaxed);
      barrier(s, 0, 2 * i + 1);
      const int a = Test::thread0(s);
      barrier(s, 0, 2 * i + 2);
      if (kMessagePassing) {
        ++counts[s.b >> 1][s.b & 1];
      } else {
        ++counts[a][s.b];
      }
    }
  });
  std::thread t1([&] {
    pinned += pin_self(two_cpus ? cpus[1] : -1);
    for (std::uint64_t i = 0; i < iterations; ++i) {
      barrier(s, 1, 2 * i + 1);
      s.b = Test::thread1(s);
      barrier(s, 1, 2 * i + 2);
    }
  });
  const auto start = std::chrono::steady_clock::now();
  t0.join();
  t1.join();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  infraprep::driver::Json outcomes;
  for (int a = 0; a < 2; ++a)
    for (int b = 0; b < 2; ++b) outcomes.add((std::to_string(a) + std::to_string(b)).c_str(), counts[a][b]);
  out.add("iterations", iterations)
      .raw("outcomes", outcomes.str())
      .add("forbidden", std::to_string(Test::kForbiddenA) + std::to_string(Test::kForbiddenB))
      .add("forbidden_count", counts[Test::kForbiddenA][Test::kForbiddenB])
      .add("cpus_available", static_cast<std::uint64_t>(cpus.size()))
      .add("pinned", pinned.load() == 2)
      .add("seconds", seconds);
}

template <template <std::memory_order, std::memory_order> class Test, bool kMessagePassing>
void by_order(const std::string& order, std::uint64_t iterations, infraprep::driver::Json& out) {
  if (order == "relaxed") {
    run<Test<std::memory_order_relaxed, std::memory_order_relaxed>, kMessagePassing>(iterations, out);
  } else if (order == "acq_rel") {
    run<Test<std::memory_order_release, std::memory_order_acquire>, kMessagePassing>(iterations, out);
  } else {
    run<Test<std::memory_order_seq_cst, std::memory_order_seq_cst>, kMessagePassing>(iterations, out);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const char* text = "litmus sb|mp relaxed|acq_rel|seq_cst ITERATIONS";
  if (argc != 4) infraprep::driver::usage(text);
  const std::string test = argv[1], order = argv[2];
  if ((test != "sb" && test != "mp") || (order != "relaxed" && order != "acq_rel" && order != "seq_cst"))
    infraprep::driver::usage(text);
  const std::uint64_t iterations = infraprep::driver::arg_u64(argv[3], "ITERATIONS");
  infraprep::driver::Json out;
  out.add("test", test).add("order", order);
  if (test == "sb") {
    by_order<StoreBuffering, false>(order, iterations, out);
  } else {
    by_order<MessagePassing, true>(order, iterations, out);
  }
  out.print();
  return 0;
}
