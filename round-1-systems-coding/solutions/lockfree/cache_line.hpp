// The cache-line size used for padding by every structure in this folder.
//
// Two atomics written by different threads must not share a cache line: each write takes the line
// in exclusive state (MESI), so two threads writing neighbouring words bounce the line between
// their cores on every operation ("false sharing"), though they never touch the same bytes.
#pragma once

#include <cstddef>

namespace infraprep {

// 64 bytes: the line size of x86-64 and of most AArch64 cores. C++17's
// std::hardware_destructive_interference_size would say the same, but GCC warns that its value may
// change between compiler versions and so must not shape a type's layout (-Winterference-size), so
// the constant is spelled out. (Intel's adjacent-line prefetcher pairs lines into 128-byte blocks;
// padding to 128 would also remove that effect, at twice the memory.)
inline constexpr std::size_t kCacheLine = 64;

// True for 1, 2, 4, 8, ...: the ring indices are masked with (capacity - 1) instead of taking a modulo.
constexpr bool is_power_of_two(std::size_t n) { return n != 0 && (n & (n - 1)) == 0; }

}  // namespace infraprep
