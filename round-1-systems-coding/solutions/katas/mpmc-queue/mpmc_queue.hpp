// A bounded lock-free multi-producer / multi-consumer queue with per-slot sequence numbers (Vyukov).
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <stdexcept>

template <class T, std::size_t Capacity>
class MpmcQueue {
  static_assert(Capacity >= 2 && (Capacity & (Capacity - 1)) == 0, "Capacity must be a power of two");
  static constexpr std::size_t kMask = Capacity - 1;

 public:
  MpmcQueue() {
    for (std::size_t i = 0; i < Capacity; ++i) cells_[i].sequence.store(i, std::memory_order_relaxed);
  }

  bool try_push(const T& value) {
    // KATA-BEGIN: find a slot whose sequence equals our position, claim it by CAS, write, publish pos + 1
    std::size_t pos = enqueue_.load(std::memory_order_relaxed);
    Cell* cell;
    for (;;) {
      cell = &cells_[pos & kMask];
      const std::size_t seq = cell->sequence.load(std::memory_order_acquire);  // pairs with the consumer's release
      const auto diff = static_cast<std::intptr_t>(seq) - static_cast<std::intptr_t>(pos);
      if (diff == 0) {
        if (enqueue_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) break;  // slot is ours
      } else if (diff < 0) {
        return false;  // the slot still holds last lap's item: full
      } else {
        pos = enqueue_.load(std::memory_order_relaxed);  // another producer took it: retry
      }
    }
    cell->value = value;
    cell->sequence.store(pos + 1, std::memory_order_release);  // hand the slot to a consumer
    return true;
    // KATA-END
  }

  bool try_pop(T& out) {
    // KATA-BEGIN: find a slot whose sequence equals position + 1, claim it by CAS, read, publish pos + Capacity
    std::size_t pos = dequeue_.load(std::memory_order_relaxed);
    Cell* cell;
    for (;;) {
      cell = &cells_[pos & kMask];
      const std::size_t seq = cell->sequence.load(std::memory_order_acquire);  // pairs with the producer's release
      const auto diff = static_cast<std::intptr_t>(seq) - static_cast<std::intptr_t>(pos + 1);
      if (diff == 0) {
        if (dequeue_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) break;
      } else if (diff < 0) {
        return false;  // nothing published here yet: empty
      } else {
        pos = dequeue_.load(std::memory_order_relaxed);
      }
    }
    out = cell->value;
    cell->sequence.store(pos + Capacity, std::memory_order_release);  // free the slot for the next lap
    return true;
    // KATA-END
  }

 private:
  struct Cell {
    std::atomic<std::size_t> sequence;
    T value;
  };
  alignas(64) Cell cells_[Capacity];
  alignas(64) std::atomic<std::size_t> enqueue_{0};
  alignas(64) std::atomic<std::size_t> dequeue_{0};
};
