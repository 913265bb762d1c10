// One-shot message passing: a plain payload published through an atomic flag.
#pragma once
#include <atomic>
#include <stdexcept>

struct Mailbox {
  int payload = 0;  // plain data: only ordering through `ready` makes reading it safe
  std::atomic<bool> ready{false};

  void send(int value) {
    // KATA-BEGIN: write the payload, then publish it
    payload = value;
    ready.store(true, std::memory_order_release);  // everything before this store is visible to an acquirer
    // KATA-END
  }

  bool try_receive(int& out) {
    // KATA-BEGIN: observe the flag, then read the payload
    if (!ready.load(std::memory_order_acquire)) return false;  // synchronizes-with the release store
    out = payload;  // happens-after the sender's write: no race
    return true;
    // KATA-END
  }
};
