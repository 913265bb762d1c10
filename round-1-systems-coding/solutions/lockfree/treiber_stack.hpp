// Treiber stack (R. K. Treiber, "Systems Programming: Coping with Parallelism", IBM Almaden RJ 5118,
// 1986) with ABA protection by a tagged head word.
//
// Nodes live in a fixed pool and are named by 32-bit indices. The head is one 64-bit atomic word,
//
//     head_ = (tag << 32) | index          index == kNil: the stack is empty
//
// and every successful CAS on it increments the tag. Two lists are threaded through the pool with one
// link per node: free_ (unused nodes) and items_ (nodes holding values); a node is on at most one list
// at a time, or owned by the one thread that popped it.
//
// The ABA problem (the broken twin at the bottom has it): thread A reads head = X and X's link Y and
// is preempted before its CAS. Thread B pops X, pops Y, pushes X back. The head is X again, so A's
// CAS(X -> Y) succeeds, and the stack's top is now Y, a node that B owns. Y is then owned twice, the
// nodes below it may be lost, and the free list can hand one node to two producers. With the tag,
// A expected (tag t, X) but the head is (tag t + 3, X): the CAS fails and A retries with fresh values.
// The tag can repeat only after 2^32 successful CASes during one preemption of A.
//
// Why a pool and indices rather than pointers and new/delete: the pool also solves memory
// reclamation. A stale reader may still load the link of a node that was popped and reused; with a
// pool that memory is never returned to the allocator, so the load is of a valid atomic (the tagged
// CAS then fails). With heap nodes the same stale load could touch freed memory; that needs hazard
// pointers (Michael, IEEE TPDS 2004) or epochs.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>

#include "cache_line.hpp"

namespace infraprep {

// A lock-free LIFO of node indices whose links live in an array owned by the caller (the pool).
// kTagged = false is the broken twin: the tag stays 0, so a recycled index looks unchanged to a CAS.
template <bool kTagged>
class IndexStack {
 public:
  static constexpr std::uint32_t kNil = UINT32_MAX;
  static_assert(std::atomic<std::uint64_t>::is_always_lock_free, "the head word must be lock-free");

  explicit IndexStack(std::atomic<std::uint32_t>* links) : links_(links) {}

  // Links `node` (owned by the caller) on top.
  void push(std::uint32_t node) {
    // relaxed: the loaded head is only the CAS's expected value; the CAS re-reads it atomically.
    std::uint64_t old = head_.load(std::memory_order_relaxed);
    for (;;) {
      // relaxed: the node is ours until the CAS succeeds; the CAS's release publishes this link.
      links_[node].store(index_of(old), std::memory_order_relaxed);
      // release on success: the link above, and the caller's write of the node's value before push,
      // happen-before any pop that acquires this head value (or a later one: every later change of
      // head_ is a read-modify-write, so it continues this release sequence).
      // relaxed on failure: we only retry with the head value the CAS hands back.
      if (head_.compare_exchange_weak(old, pack(node, next_tag(old)), std::memory_order_release,
                                      std::memory_order_relaxed))
        return;
    }
  }

  // Unlinks the top node and returns its index (the caller now owns it), or kNil when empty.
  std::uint32_t pop() {
    return pop([] {});
  }

  // pop with a hook run between reading the top node's link and the CAS: the window that ABA
  // exploits. Only for the scripted ABA demonstration (aba_demo.cpp); pop() passes a no-op.
  template <class Between>
  std::uint32_t pop(Between&& between) {
    // acquire: pairs with the release CAS of the push that installed this head, so that node's link
    // (read below) and value (read by the caller) are visible.
    std::uint64_t old = head_.load(std::memory_order_acquire);
    for (;;) {
      const std::uint32_t node = index_of(old);
      if (node == kNil) return kNil;
      // relaxed: the link may be stale if `node` was popped and pushed again since we read the head;
      // the tagged CAS then fails. It is an atomic so that such a stale read is not a data race.
      const std::uint32_t next = links_[node].load(std::memory_order_relaxed);
      between();
      // acquire on success and failure: on success we own `node` and read its value next (the
      // edge from its push); on failure `old` is the new head and its link is read next iteration.
      if (head_.compare_exchange_weak(old, pack(next, next_tag(old)), std::memory_order_acquire,
                                      std::memory_order_acquire))
        return node;
    }
  }

 private:
  static std::uint64_t pack(std::uint32_t index, std::uint32_t tag) {
    return (static_cast<std::uint64_t>(tag) << 32) | index;
  }
  static std::uint32_t index_of(std::uint64_t word) { return static_cast<std::uint32_t>(word); }
  static std::uint32_t next_tag(std::uint64_t word) {
    return kTagged ? static_cast<std::uint32_t>(word >> 32) + 1 : 0;  // wraps mod 2^32
  }

  alignas(kCacheLine) std::atomic<std::uint64_t> head_{pack(kNil, 0)};
  std::atomic<std::uint32_t>* const links_;
};

// A bounded stack of T: try_push takes a node from the free list, writes the value and links it on
// items_; try_pop unlinks from items_, reads the value and returns the node to the free list.
template <class T, bool kTagged = true>
class BasicTreiberStack {
 public:
  // capacity: 1 .. 2^32 - 2 nodes.
  explicit BasicTreiberStack(std::size_t capacity)
      : values_(new T[capacity]), links_(new std::atomic<std::uint32_t>[capacity]), free_(links_.get()),
        items_(links_.get()) {
    if (capacity == 0 || capacity >= IndexStack<kTagged>::kNil)
      throw std::invalid_argument("TreiberStack capacity must be in 1 .. 2^32 - 2");
    for (std::size_t i = capacity; i-- > 0;) free_.push(static_cast<std::uint32_t>(i));
  }
  BasicTreiberStack(const BasicTreiberStack&) = delete;
  BasicTreiberStack& operator=(const BasicTreiberStack&) = delete;

  // Any thread. Returns false when all nodes are in use.
  bool try_push(const T& value) {
    return try_push(value, [] {});
  }

  // Any thread. Returns false when empty.
  bool try_pop(T& out) {
    return try_pop(out, [] {});
  }

  // The same, with a hook run inside each list pop between reading the link and the CAS (the ABA
  // window). The stress driver passes one that sometimes yields the CPU, to preempt threads exactly
  // where ABA needs them preempted; everyone else calls the overloads above.
  template <class Between>
  bool try_push(const T& value, Between&& between) {
    const std::uint32_t node = free_.pop(between);  // acquire inside: the last reader of this node is done
    if (node == IndexStack<kTagged>::kNil) return false;
    values_[node] = value;  // the node is exclusively ours
    items_.push(node);      // release inside: publishes the value
    return true;
  }

  template <class Between>
  bool try_pop(T& out, Between&& between) {
    const std::uint32_t node = items_.pop(between);  // acquire inside: the pusher's value write is visible
    if (node == IndexStack<kTagged>::kNil) return false;
    out = values_[node];
    free_.push(node);  // release inside: our read is done before the next writer of this node
    return true;
  }

 private:
  const std::unique_ptr<T[]> values_;
  const std::unique_ptr<std::atomic<std::uint32_t>[]> links_;
  IndexStack<kTagged> free_;
  IndexStack<kTagged> items_;
};

template <class T>
using TreiberStack = BasicTreiberStack<T, true>;

namespace broken {

// BROKEN ON PURPOSE: no ABA protection (the tag is always 0). Every access is still atomic, so
// ThreadSanitizer has nothing to report; the damage shows as violated invariants instead: a node
// owned twice, values duplicated or lost (see aba_demo.cpp for the interleaving, step by step).
template <class T>
using TreiberStackNoTag = BasicTreiberStack<T, false>;

}  // namespace broken
}  // namespace infraprep
