#include <cstdio>
#include <thread>

#if defined(__SANITIZE_THREAD__)
constexpr long kItems = 20000;  // ThreadSanitizer runs ~10x slower
#else
constexpr long kItems = 200000;
#endif

#include "spsc_queue.hpp"

int main() {
  SpscQueue<long, 1024> queue;
  {  // single-threaded smoke check first: a missing method fails here, with its message, not in two threads
    long v = -1;
    if (!queue.try_push(7) || !queue.try_pop(v) || v != 7 || queue.try_pop(v)) {
      std::printf("single-threaded push/pop is wrong\n");
      return 1;
    }
  }
  long bad_order = 0, received = 0, sum = 0;
  std::thread producer([&] {
    for (long i = 1; i <= kItems;) {
      if (queue.try_push(i)) ++i;
      else std::this_thread::yield();
    }
  });
  std::thread consumer([&] {
    long expected = 1, value = 0;
    while (received < kItems) {
      if (queue.try_pop(value)) {
        if (value != expected) ++bad_order;
        ++expected, ++received, sum += value;
      } else {
        std::this_thread::yield();
      }
    }
  });
  producer.join();
  consumer.join();
  long dummy = 0;
  const bool empty_at_end = !queue.try_pop(dummy);
  const long want = kItems * (kItems + 1) / 2;
  std::printf("received %ld, out of order %ld, sum %ld (want %ld), empty at end %d\n", received, bad_order, sum,
              want, empty_at_end);
  return (received == kItems && bad_order == 0 && sum == want && empty_at_end) ? 0 : 1;
}
