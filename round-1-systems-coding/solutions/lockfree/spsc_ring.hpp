// Single-producer single-consumer ring buffer: bounded, wait-free, no read-modify-write at all.
//
// One thread calls try_push, one (other) thread calls try_pop. The two indices grow without bound and
// are masked on use, so "full" is tail - head == capacity and no slot is wasted; unsigned wrap-around
// at 2^64 keeps the subtraction right.
//
//     head_ (consumer writes)          tail_ (producer writes)
//        v                                v
//   [ . . | x x x x x x x x x x x x x x x | . . . . ]   slots_[i & mask_]
//          <----- tail - head items ----->
//
// Two publications, two happens-before edges (C++17 [intro.races] / [atomics.order]: a release store
// synchronizes-with an acquire load that reads the value it stored):
//   edge A (data)  producer: write slot t, then store tail = t + 1 (release)
//                  consumer: load tail (acquire) sees t + 1, then read slot t
//   edge B (reuse) consumer: read slot h, then store head = h + 1 (release)
//                  producer: load head (acquire) sees h + 1, then overwrite slot h one lap later
//
// Cached indices (as in Rigtorp's SPSCQueue and Folly's ProducerConsumerQueue): the producer keeps
// the last head it saw and re-reads the shared head only when the ring looks full; the consumer keeps
// the last tail and re-reads it only when the ring looks empty. A stale cached value is conservative
// (the ring looks fuller or emptier than it is), so correctness is unchanged while the number of
// cross-core cache-line transfers per item drops from two to roughly two per lap.
//
// On x86-64 (TSO) acquire loads and release stores compile to plain MOVs: the orders only stop the
// compiler from reordering. On AArch64 they become LDAR/STLR (mapping: Sewell et al., "C/C++11
// mappings to processors"). The broken twin at the bottom is wrong on every platform (a data race is
// undefined behaviour) even where its machine code happens to be identical.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <stdexcept>

#include "cache_line.hpp"

namespace infraprep {

// The ring's memory orders, as a policy so that the broken twin differs from the correct ring in
// exactly these two lines and nowhere else.
struct SpscOrders {
  // Storing one's own index publishes the slot work done before it (the producer's write, the
  // consumer's read): release, so that work happens-before the other side's acquire load of it.
  static constexpr std::memory_order publish = std::memory_order_release;
  // Loading the other side's index must be acquire: it completes the release above, and everything
  // this thread does to the slot afterwards is ordered after the other side's slot access.
  static constexpr std::memory_order observe = std::memory_order_acquire;
};

template <class T, class Orders = SpscOrders>
class SpscRing {
 public:
  // capacity: a power of two >= 1 (indices are masked, never taken modulo).
  explicit SpscRing(std::size_t capacity)
      : capacity_(capacity), mask_(capacity - 1), slots_(new T[capacity]) {
    if (!is_power_of_two(capacity)) throw std::invalid_argument("SpscRing capacity must be a power of two");
  }
  SpscRing(const SpscRing&) = delete;
  SpscRing& operator=(const SpscRing&) = delete;

  // Producer thread only. Returns false when full (the value is not stored).
  bool try_push(const T& value) {
    // relaxed: tail_ is written by this thread only, so this thread always reads its own latest value.
    const std::size_t tail = tail_.load(std::memory_order_relaxed);
    if (tail - cached_head_ == capacity_) {
      // Looks full with the head we saw last: refresh it. observe (acquire) = edge B: the consumer's
      // read of the slot we are about to overwrite happened before it advanced head.
      cached_head_ = head_.load(Orders::observe);
      if (tail - cached_head_ == capacity_) return false;
    }
    slots_[tail & mask_] = value;
    // publish (release) = edge A: the slot write above becomes visible no later than the new tail.
    tail_.store(tail + 1, Orders::publish);
    return true;
  }

  // Consumer thread only. Returns false when empty (out is untouched).
  bool try_pop(T& out) {
    // relaxed: head_ is written by this thread only.
    const std::size_t head = head_.load(std::memory_order_relaxed);
    if (head == cached_tail_) {
      // Looks empty with the tail we saw last: refresh it. observe (acquire) = edge A: the producer's
      // write of the slot happened before it advanced tail past it.
      cached_tail_ = tail_.load(Orders::observe);
      if (head == cached_tail_) return false;
    }
    out = slots_[head & mask_];
    // publish (release) = edge B: our read of the slot is done before the producer may reuse it.
    head_.store(head + 1, Orders::publish);
    return true;
  }

  std::size_t capacity() const { return capacity_; }

 private:
  // Each group on its own cache line: the producer writes tail_ (and its private cached_head_), the
  // consumer writes head_ (and cached_tail_); the read-only configuration sits apart from both.
  alignas(kCacheLine) std::atomic<std::size_t> tail_{0};
  alignas(kCacheLine) std::size_t cached_head_ = 0;  // producer-private copy of head_
  alignas(kCacheLine) std::atomic<std::size_t> head_{0};
  alignas(kCacheLine) std::size_t cached_tail_ = 0;  // consumer-private copy of tail_
  alignas(kCacheLine) const std::size_t capacity_;
  const std::size_t mask_;
  const std::unique_ptr<T[]> slots_;
  // alignas makes sizeof(SpscRing) a multiple of 64, so whatever follows it starts on a new line.
};

namespace broken {

// BROKEN ON PURPOSE (the bug of interview question r1-q02): the index stores are relaxed, so the
// consumer can see tail = t + 1 without the write of slot t happening before its read. That is a data
// race on slots_[t] (undefined behaviour); ThreadSanitizer reports it; on AArch64 the consumer can
// read a stale slot. On x86-64 the compiled code is the same MOV as the correct ring's, which is why
// "it passed every test on my laptop" proves nothing here.
struct SpscRelaxedPublish {
  static constexpr std::memory_order publish = std::memory_order_relaxed;  // WRONG: must be release
  static constexpr std::memory_order observe = std::memory_order_acquire;
};

template <class T>
using SpscRing = infraprep::SpscRing<T, SpscRelaxedPublish>;

}  // namespace broken
}  // namespace infraprep
