#include <cstdio>
#include <thread>

#include "mailbox.hpp"

int main() {
#if defined(__SANITIZE_THREAD__)
  constexpr int kRounds = 300;  // a racy version is reported within the first few rounds
#else
  constexpr int kRounds = 2000;
#endif
  {  // single-threaded smoke check first, so a missing method fails with its message
    Mailbox box;
    int v = 0;
    box.send(5);
    if (!box.try_receive(v) || v != 5) {
      std::printf("single-threaded send/receive is wrong\n");
      return 1;
    }
  }
  int wrong = 0;
  for (int round = 1; round <= kRounds; ++round) {
    Mailbox box;
    int got = 0;
    std::thread receiver([&] {
      while (!box.try_receive(got)) std::this_thread::yield();
    });
    std::thread sender([&] { box.send(round * 7); });
    sender.join();
    receiver.join();
    wrong += got != round * 7;
  }
  std::printf("%d of %d handoffs delivered a wrong payload\n", wrong, kRounds);
  return wrong == 0 ? 0 : 1;
}
