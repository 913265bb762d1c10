// A bounded lock-free single-producer / single-consumer ring buffer.
#pragma once
#include <atomic>
#include <cstddef>
#include <stdexcept>

template <class T, std::size_t Capacity>
class SpscQueue {
  static_assert(Capacity > 0 && (Capacity & (Capacity - 1)) == 0, "Capacity must be a power of two");

 public:
  // Producer thread only.
  bool try_push(const T& value) {
    // KATA-BEGIN: check for room (refreshing the cached head), write the slot, publish it
    const std::size_t tail = tail_.load(std::memory_order_relaxed);  // only the producer writes tail_
    if (tail - head_cache_ == Capacity) {
      head_cache_ = head_.load(std::memory_order_acquire);  // pairs with the consumer's release: slot is free
      if (tail - head_cache_ == Capacity) return false;
    }
    slots_[tail & (Capacity - 1)] = value;
    tail_.store(tail + 1, std::memory_order_release);  // the slot write happens-before the consumer's read
    return true;
    // KATA-END
  }

  // Consumer thread only.
  bool try_pop(T& out) {
    // KATA-BEGIN: check for an item (refreshing the cached tail), read the slot, release it
    const std::size_t head = head_.load(std::memory_order_relaxed);  // only the consumer writes head_
    if (head == tail_cache_) {
      tail_cache_ = tail_.load(std::memory_order_acquire);  // pairs with the producer's release
      if (head == tail_cache_) return false;
    }
    out = slots_[head & (Capacity - 1)];
    head_.store(head + 1, std::memory_order_release);  // our read happens-before the producer reuses the slot
    return true;
    // KATA-END
  }

 private:
  alignas(64) std::atomic<std::size_t> head_{0};  // consumer's index
  std::size_t tail_cache_ = 0;                    // consumer's copy of tail_
  alignas(64) std::atomic<std::size_t> tail_{0};  // producer's index
  std::size_t head_cache_ = 0;                    // producer's copy of head_
  alignas(64) T slots_[Capacity];
};
