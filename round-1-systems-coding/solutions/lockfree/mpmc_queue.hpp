// Bounded multi-producer multi-consumer queue with per-slot sequence numbers (Dmitry Vyukov,
// "Bounded MPMC queue", 1024cores.net, 2010/2011).
//
// Every slot carries an atomic sequence number seq that says whose turn the slot is:
//
//   seq == pos            free for the producer that claims position pos
//   seq == pos + 1        full: holds the item of position pos, for the consumer that claims pos
//   seq == pos + capacity free again, for the producer one lap later (position pos + capacity)
//
// A producer reads enqueue_pos_ = pos, checks its slot's seq == pos, claims pos with a CAS on
// enqueue_pos_, writes the value, and stores seq = pos + 1. A consumer does the mirror image with
// dequeue_pos_ and seq == pos + 1, and stores seq = pos + capacity after reading.
//
// Why no ABA: a stale position fails the seq comparison (seq has moved on by whole laps), and the
// positions are 64-bit counters that never repeat in practice (2^64 operations at 1 per ns is 584
// years). It is the sequence numbers, not the CAS, that make a stale position harmless.
//
// Progress: lock-free for claims, but not formally lock-free as a whole. A producer descheduled after
// winning its CAS and before storing seq blocks consumers of that one slot: they see "empty" for it
// (try_pop returns false) until the producer resumes. So it is mutex-free, and every CAS loop is
// lock-free, but one stalled thread can stop others from making progress on that slot.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>

#include "cache_line.hpp"

namespace infraprep {

// The queue's memory orders, as a policy so that the broken twin differs in exactly one line.
struct MpmcOrders {
  // Reading a slot's seq decides whether this thread may touch the slot's value. It must be acquire:
  // it pairs with the release store of seq by the previous owner (the producer that wrote the value,
  // or the consumer that read it a lap ago), so that owner's access happens-before ours.
  static constexpr std::memory_order observe = std::memory_order_acquire;
  // Storing seq hands the slot to the next owner: release, so our write (or read) of the value
  // happens-before the next owner's access that follows its acquire load of seq.
  static constexpr std::memory_order publish = std::memory_order_release;
};

template <class T, class Orders = MpmcOrders>
class MpmcQueue {
 public:
  // capacity: a power of two >= 2.
  explicit MpmcQueue(std::size_t capacity) : mask_(capacity - 1), slots_(new Slot[capacity]) {
    if (!is_power_of_two(capacity) || capacity < 2)
      throw std::invalid_argument("MpmcQueue capacity must be a power of two >= 2");
    // relaxed: the constructor runs before any other thread can see the queue; handing the queue to
    // those threads (std::thread's constructor) is itself a synchronization point.
    for (std::size_t i = 0; i < capacity; ++i) slots_[i].seq.store(i, std::memory_order_relaxed);
  }
  MpmcQueue(const MpmcQueue&) = delete;
  MpmcQueue& operator=(const MpmcQueue&) = delete;

  // Any thread. Returns false when full.
  bool try_push(const T& value) {
    // relaxed: the position is only a guess that the CAS below validates; it guards no data.
    std::size_t pos = enqueue_pos_.load(std::memory_order_relaxed);
    Slot* slot;
    for (;;) {
      slot = &slots_[pos & mask_];
      // observe (acquire): the consumer that emptied this slot one lap ago finished reading it.
      const std::size_t seq = slot->seq.load(Orders::observe);
      const auto dif = static_cast<std::intptr_t>(seq) - static_cast<std::intptr_t>(pos);
      if (dif == 0) {
        // relaxed (success and failure): the CAS only hands out the ticket pos; the data is ordered
        // by the slot's seq (acquire above, release below), not by this counter.
        if (enqueue_pos_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) break;
      } else if (dif < 0) {
        return false;  // the slot still holds the item from one lap ago: full
      } else {
        pos = enqueue_pos_.load(std::memory_order_relaxed);  // another producer took pos; same reasoning
      }
    }
    slot->value = value;
    // publish (release): the value written above happens-before the consumer's read of it.
    slot->seq.store(pos + 1, Orders::publish);
    return true;
  }

  // Any thread. Returns false when empty (or when the next item's producer has claimed but not yet
  // published its slot; see "Progress" above).
  bool try_pop(T& out) {
    std::size_t pos = dequeue_pos_.load(std::memory_order_relaxed);  // relaxed: a guess, as in try_push
    Slot* slot;
    for (;;) {
      slot = &slots_[pos & mask_];
      // observe (acquire): the producer of position pos finished writing the value.
      const std::size_t seq = slot->seq.load(Orders::observe);
      const auto dif = static_cast<std::intptr_t>(seq) - static_cast<std::intptr_t>(pos + 1);
      if (dif == 0) {
        if (dequeue_pos_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) break;  // ticket only
      } else if (dif < 0) {
        return false;  // not yet written: empty
      } else {
        pos = dequeue_pos_.load(std::memory_order_relaxed);
      }
    }
    out = slot->value;
    // publish (release): our read happens-before the write of the producer one lap later.
    slot->seq.store(pos + mask_ + 1, Orders::publish);
    return true;
  }

  std::size_t capacity() const { return mask_ + 1; }

 private:
  // One slot per cache line: neighbouring slots are written by different threads at the same time.
  // (Vyukov's original packs slots densely; padding costs memory and buys fewer line transfers.)
  struct alignas(kCacheLine) Slot {
    std::atomic<std::size_t> seq;
    T value;
  };

  alignas(kCacheLine) const std::size_t mask_;
  const std::unique_ptr<Slot[]> slots_;
  alignas(kCacheLine) std::atomic<std::size_t> enqueue_pos_{0};  // producers' counter, own line
  alignas(kCacheLine) std::atomic<std::size_t> dequeue_pos_{0};  // consumers' counter, own line
};

namespace broken {

// BROKEN ON PURPOSE: relaxed where acquire is required. A consumer that reads seq == pos + 1 with a
// relaxed load has no happens-before edge from the producer's write of the value, so its read of
// slot->value races with that write (undefined behaviour; ThreadSanitizer reports it). Symmetrically a
// producer may overwrite a value that a consumer of the previous lap is still reading.
struct MpmcRelaxedObserve {
  static constexpr std::memory_order observe = std::memory_order_relaxed;  // WRONG: must be acquire
  static constexpr std::memory_order publish = std::memory_order_release;
};

template <class T>
using MpmcQueue = infraprep::MpmcQueue<T, MpmcRelaxedObserve>;

}  // namespace broken
}  // namespace infraprep
