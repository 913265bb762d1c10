// Small helpers shared by the drivers (stress.cpp, bench.cpp, aba_demo.cpp, ../litmus/litmus.cpp):
// a spin-then-yield backoff, argument parsing that fails with one clear line, and a one-line JSON
// writer (the Python lab reads the drivers' stdout as JSON).
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>
#include <thread>

#if defined(__linux__)
#include <pthread.h>
#include <sched.h>
#endif

namespace infraprep::driver {

// One CPU "I am spinning" hint: PAUSE on x86 (lets the sibling hyperthread run and avoids the
// memory-order mis-speculation flush on loop exit), YIELD on AArch64.
inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// Spin briefly, then give the core away: on an oversubscribed machine (more spinning threads than
// cores) pure spinning would burn the time slice the other side needs to make progress.
class Backoff {
 public:
  void pause() {
    if (++spins_ < kSpins) {
      cpu_relax();
    } else {
      std::this_thread::yield();
    }
  }

 private:
  static constexpr int kSpins = 64;
  int spins_ = 0;
};

// Pins the calling thread to the index-th CPU this process may run on, when the run's `threads` fit
// on those CPUs one each (Linux; elsewhere, or when they do not fit, the scheduler places them).
// Pinned, a producer and a consumer always run at the same time on different cores, so a benchmark
// measures the queue rather than the scheduler migrating or stacking the two threads (the wide
// spread of unpinned reps on a 2-vCPU VM: 23-134 M ops/s for one ring). Returns whether it pinned.
inline bool pin_thread(unsigned index, unsigned threads) {
#if defined(__linux__)
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0 || threads > static_cast<unsigned>(CPU_COUNT(&allowed)))
    return false;
  unsigned seen = 0;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (!CPU_ISSET(cpu, &allowed)) continue;
    if (seen++ == index) {
      cpu_set_t one;
      CPU_ZERO(&one);
      CPU_SET(cpu, &one);
      return pthread_setaffinity_np(pthread_self(), sizeof(one), &one) == 0;
    }
  }
#else
  (void)index;
  (void)threads;
#endif
  return false;
}

[[noreturn]] inline void usage(const char* text) {
  std::fprintf(stderr, "usage: %s\n", text);
  std::exit(2);
}

// A positive integer argument, or exit 2 naming it.
inline std::uint64_t arg_u64(const char* value, const char* name, std::uint64_t min = 1) {
  char* end = nullptr;
  const unsigned long long parsed = std::strtoull(value, &end, 10);
  if (end == value || *end != '\0' || parsed < min) {
    std::fprintf(stderr, "%s=%s is not valid: expected an integer >= %llu\n", name, value,
                 static_cast<unsigned long long>(min));
    std::exit(2);
  }
  return parsed;
}

// A double with all 17 significant digits (std::to_string keeps only 6 decimals).
inline std::string number(double value) {
  std::ostringstream out;
  out.precision(17);
  out << value;
  return out.str();
}

// Builds {"key": value, ...} on one line. Keys and strings are ASCII identifiers (no escaping needed).
class Json {
 public:
  Json& add(const char* key, const std::string& value) { return raw(key, "\"" + value + "\""); }
  Json& add(const char* key, const char* value) { return add(key, std::string(value)); }
  Json& add(const char* key, bool value) { return raw(key, value ? "true" : "false"); }
  Json& add(const char* key, std::uint64_t value) { return raw(key, std::to_string(value)); }
  Json& add(const char* key, int value) { return raw(key, std::to_string(value)); }
  Json& add(const char* key, double value) { return raw(key, number(value)); }
  // A nested object or array already rendered as JSON.
  Json& raw(const char* key, const std::string& json) {
    body_ += (body_.empty() ? "" : ", ") + std::string("\"") + key + "\": " + json;
    return *this;
  }
  std::string str() const { return "{" + body_ + "}"; }
  void print() const { std::printf("%s\n", str().c_str()); }

 private:
  std::string body_;
};

}  // namespace infraprep::driver
