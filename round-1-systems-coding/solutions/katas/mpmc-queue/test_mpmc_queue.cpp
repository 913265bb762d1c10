#include <atomic>
#include <cstdio>
#include <thread>
#include <vector>

#include "mpmc_queue.hpp"

int main() {
  constexpr int kProducers = 4, kConsumers = 4;
#if defined(__SANITIZE_THREAD__)
  constexpr long kPerProducer = 5000;  // ThreadSanitizer runs ~10x slower
#else
  constexpr long kPerProducer = 50000;
#endif
  constexpr long kTotal = kProducers * kPerProducer;
  static MpmcQueue<long, 256> queue;
  {  // single-threaded smoke check first: a missing method fails here, with its message, not in 8 threads
    long v = -1;
    if (!queue.try_push(7) || !queue.try_pop(v) || v != 7 || queue.try_pop(v)) {
      std::printf("single-threaded push/pop is wrong\n");
      return 1;
    }
  }
  std::vector<std::atomic<int>> seen(kTotal);
  std::atomic<long> consumed{0};
  std::vector<std::thread> threads;
  for (int p = 0; p < kProducers; ++p)
    threads.emplace_back([p] {
      for (long i = 0; i < kPerProducer;)
        if (queue.try_push(p * kPerProducer + i)) ++i;
        else std::this_thread::yield();
    });
  for (int c = 0; c < kConsumers; ++c)
    threads.emplace_back([&] {
      long value;
      while (consumed.load(std::memory_order_relaxed) < kTotal)
        if (queue.try_pop(value)) {
          seen[value].fetch_add(1, std::memory_order_relaxed);
          consumed.fetch_add(1, std::memory_order_relaxed);
        } else {
          std::this_thread::yield();
        }
    });
  for (auto& t : threads) t.join();
  long missing = 0, duplicated = 0;
  for (auto& s : seen) {
    const int n = s.load();
    missing += n == 0;
    duplicated += n > 1;
  }
  std::printf("consumed %ld of %ld, missing %ld, duplicated %ld\n", consumed.load(), kTotal, missing, duplicated);
  return (consumed.load() == kTotal && missing == 0 && duplicated == 0) ? 0 : 1;
}
