// cuda_emu.h: just enough of CUDA to run a simple kernel on the CPU with g++ (C++20).
//
// This is the CPU twin of the GPU tier: the *same* kernel source (matmul_tiled.cu) compiles with nvcc
// for a GPU or with g++ against this header. Each block runs alone; its threads are real std::threads
// that meet at a std::barrier in __syncthreads(). Because blocks run one at a time, a __shared__
// array can be a function-local static: one copy, shared by the threads of the running block, as on
// the GPU. Not emulated: warps, streams, concurrency between blocks, device limits.
#pragma once
#ifndef __CUDACC__

#include <barrier>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

struct dim3 {
    unsigned x, y, z;
    constexpr dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};

inline thread_local dim3 threadIdx;
inline thread_local dim3 blockIdx;
inline dim3 blockDim;
inline dim3 gridDim;
inline std::barrier<>* emu_block_barrier = nullptr;

#define __global__
#define __device__
#define __host__
#define __shared__ static  // one block at a time: a static is that block's shared memory

inline void __syncthreads() { emu_block_barrier->arrive_and_wait(); }

// kernel<<<grid, block>>>(args...) is not C++: the .cu launches through LAUNCH, which maps here.
template <class Kernel, class... Args>
void emu_launch(dim3 grid, dim3 block, Kernel kernel, Args... args) {
    gridDim = grid;
    blockDim = block;
    const unsigned threads = block.x * block.y * block.z;
    for (unsigned bz = 0; bz < grid.z; ++bz)
        for (unsigned by = 0; by < grid.y; ++by)
            for (unsigned bx = 0; bx < grid.x; ++bx) {
                std::barrier<> barrier(threads);
                emu_block_barrier = &barrier;
                std::vector<std::thread> team;
                team.reserve(threads);
                for (unsigned tz = 0; tz < block.z; ++tz)
                    for (unsigned ty = 0; ty < block.y; ++ty)
                        for (unsigned tx = 0; tx < block.x; ++tx)
                            team.emplace_back([=] {
                                blockIdx = dim3(bx, by, bz);
                                threadIdx = dim3(tx, ty, tz);
                                kernel(args...);
                            });
                for (auto& t : team) t.join();  // the block ends before the next one starts
            }
}

// The runtime calls the harness uses: host memory stands in for device memory.
using cudaError_t = int;
constexpr cudaError_t cudaSuccess = 0;
enum cudaMemcpyKind { cudaMemcpyHostToDevice, cudaMemcpyDeviceToHost };
inline cudaError_t cudaMalloc(void** p, size_t bytes) { *p = std::malloc(bytes); return *p ? 0 : 2; }
inline cudaError_t cudaFree(void* p) { std::free(p); return 0; }
inline cudaError_t cudaMemcpy(void* dst, const void* src, size_t bytes, cudaMemcpyKind) {
    std::memcpy(dst, src, bytes);
    return 0;
}
inline cudaError_t cudaDeviceSynchronize() { return 0; }
inline cudaError_t cudaGetLastError() { return 0; }
inline const char* cudaGetErrorString(cudaError_t) { return "emulated CUDA error"; }

#define LAUNCH(kernel, grid, block, ...) emu_launch(grid, block, kernel, __VA_ARGS__)
#else
#define LAUNCH(kernel, grid, block, ...) kernel<<<grid, block>>>(__VA_ARGS__)
#endif
