// The ABA problem, scripted step by step on a three-node stack, with and without the tag.
//
//   aba_demo        prints one JSON object: {"tagged": {...}, "untagged": {...}}
//
// Thread A begins a pop: it reads head = node 0 and node 0's link (node 1). Before its CAS, "thread B"
// (run inside A's window through IndexStack::pop's hook, so the interleaving is exact and
// repeatable) pops 0, pops 1 and pushes 0 back. B keeps node 1. Then A's CAS runs.
//
//   untagged: the head is node 0 again, so CAS(0 -> 1) succeeds: the stack's top becomes node 1, which
//             B owns. Node 1 is owned twice (B and the stack) - the invariant "every node is in
//             exactly one place" is broken.
//   tagged:   the head is (0, tag + 3), not (0, tag): the CAS fails, A re-reads head and link, and
//             pops node 0 with the stack left holding node 2. Every node is in exactly one place.
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "driver_support.hpp"
#include "treiber_stack.hpp"

namespace {

std::string list(const std::vector<std::uint32_t>& nodes) {
  std::string out = "[";
  for (std::size_t i = 0; i < nodes.size(); ++i) out += (i ? ", " : "") + std::to_string(nodes[i]);
  return out + "]";
}

template <bool kTagged>
infraprep::driver::Json scripted_aba() {
  using Stack = infraprep::IndexStack<kTagged>;
  constexpr std::uint32_t kNodes = 3;
  std::atomic<std::uint32_t> links[kNodes];
  Stack stack(links);
  for (std::uint32_t node = kNodes; node-- > 0;) stack.push(node);  // top: 0 -> 1 -> 2

  std::uint32_t b_first = Stack::kNil, b_kept = Stack::kNil;
  bool b_has_run = false;
  std::uint64_t cas_attempts = 0;
  const std::uint32_t a_got = stack.pop([&] {
    ++cas_attempts;
    if (b_has_run) return;
    b_has_run = true;
    b_first = stack.pop();  // B pops 0
    b_kept = stack.pop();   // B pops 1 and keeps it
    stack.push(b_first);    // B pushes 0 back: the head is node 0 again
  });

  std::vector<std::uint32_t> left;  // what the stack still holds; bounded in case the links form a cycle
  for (std::uint32_t i = 0; i <= kNodes; ++i) {
    const std::uint32_t node = stack.pop();
    if (node == Stack::kNil) break;
    left.push_back(node);
  }
  std::vector<std::uint32_t> owners(kNodes, 0), twice, lost;
  for (std::uint32_t node : left) ++owners[node];
  if (a_got != Stack::kNil) ++owners[a_got];
  if (b_kept != Stack::kNil) ++owners[b_kept];
  for (std::uint32_t node = 0; node < kNodes; ++node) {
    if (owners[node] > 1) twice.push_back(node);
    if (owners[node] == 0) lost.push_back(node);
  }
  infraprep::driver::Json out;
  out.add("a_popped", static_cast<std::uint64_t>(a_got))
      .add("b_kept", static_cast<std::uint64_t>(b_kept))
      .raw("stack_after", list(left))
      .add("cas_attempts", cas_attempts)
      .raw("owned_twice", list(twice))
      .raw("lost", list(lost))
      .add("ok", twice.empty() && lost.empty());
  return out;
}

}  // namespace

int main(int argc, char**) {
  if (argc != 1) infraprep::driver::usage("aba_demo");
  infraprep::driver::Json out;
  out.raw("tagged", scripted_aba<true>().str()).raw("untagged", scripted_aba<false>().str());
  out.print();
  return 0;
}
