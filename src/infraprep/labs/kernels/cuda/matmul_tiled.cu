// matmul_tiled.cu: naive vs shared-memory tiled SGEMM, C[n x m] = A[n x k] * B[k x m], row-major float32.
//
// The CUDA C++ twin of infraprep/labs/kernels/matmul.py (same indexing, same bounds checks).
// Tiling after Kirk & Hwu, Programming Massively Parallel Processors, 4th ed., ch. 5 section 5.4:
// a TILE x TILE block stages one tile of A and one of B in shared memory per phase, so every element
// loaded from global memory serves TILE outputs and global loads fall by the factor TILE.
//
// Build for a GPU:  nvcc -O3 -std=c++17 -o matmul_tiled matmul_tiled.cu
// Build for a CPU:  g++ -O2 -std=c++20 -pthread -x c++ -o matmul_tiled matmul_tiled.cu  (uses cuda_emu.h)
// Run:              matmul_tiled naive|tiled TILE n k m a.bin b.bin c.bin [repeats]
//   reads A and B as raw float32, writes C as raw float32, prints one JSON line (kernel time in ms on a GPU).
#include "cuda_emu.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

__global__ void matmul_naive(const float* a, const float* b, float* c, int n, int k, int m) {
    int col = blockIdx.x * blockDim.x + threadIdx.x;
    int row = blockIdx.y * blockDim.y + threadIdx.y;
    if (row < n && col < m) {
        float acc = 0.0f;
        for (int p = 0; p < k; ++p) acc += a[row * k + p] * b[p * m + col];  // 2k global loads
        c[row * m + col] = acc;
    }
}

template <int TILE>
__global__ void matmul_tiled(const float* a, const float* b, float* c, int n, int k, int m) {
    __shared__ float a_tile[TILE][TILE];
    __shared__ float b_tile[TILE][TILE];
    int tx = threadIdx.x, ty = threadIdx.y;
    int col = blockIdx.x * TILE + tx;
    int row = blockIdx.y * TILE + ty;
    float acc = 0.0f;
    for (int phase = 0; phase < (k + TILE - 1) / TILE; ++phase) {
        int a_col = phase * TILE + tx, b_row = phase * TILE + ty;
        a_tile[ty][tx] = (row < n && a_col < k) ? a[row * k + a_col] : 0.0f;  // one load of A per phase
        b_tile[ty][tx] = (b_row < k && col < m) ? b[b_row * m + col] : 0.0f;  // one load of B per phase
        __syncthreads();  // both tiles complete before anyone reads them
        for (int p = 0; p < TILE; ++p) acc += a_tile[ty][p] * b_tile[p][tx];
#ifndef OMIT_SECOND_SYNC
        __syncthreads();  // everyone done reading before the next phase overwrites the tiles
#endif
    }
    if (row < n && col < m) c[row * m + col] = acc;
}

static void check(cudaError_t err, const char* what) {
    if (err != cudaSuccess) {
        std::fprintf(stderr, "%s: %s\n", what, cudaGetErrorString(err));
        std::exit(1);
    }
}

static std::vector<float> read_floats(const char* path, size_t count) {
    std::vector<float> data(count);
    FILE* f = std::fopen(path, "rb");
    if (!f || std::fread(data.data(), sizeof(float), count, f) != count) {
        std::fprintf(stderr, "cannot read %zu floats from %s\n", count, path);
        std::exit(1);
    }
    std::fclose(f);
    return data;
}

template <int TILE>
static void launch_tiled(const float* a, const float* b, float* c, int n, int k, int m) {
    dim3 block(TILE, TILE), grid((m + TILE - 1) / TILE, (n + TILE - 1) / TILE);
    LAUNCH(matmul_tiled<TILE>, grid, block, a, b, c, n, k, m);
}

int main(int argc, char** argv) {
    if (argc < 9) {
        std::fprintf(stderr, "usage: %s naive|tiled TILE n k m a.bin b.bin c.bin [repeats]\n", argv[0]);
        return 2;
    }
    const bool tiled = std::strcmp(argv[1], "tiled") == 0;
    const int tile = std::atoi(argv[2]), n = std::atoi(argv[3]), k = std::atoi(argv[4]), m = std::atoi(argv[5]);
    const int repeats = argc > 9 ? std::atoi(argv[9]) : 1;
    if (tile != 8 && tile != 16 && tile != 32) {
        std::fprintf(stderr, "TILE must be 8, 16 or 32 (a template argument)\n");
        return 2;
    }
    std::vector<float> a = read_floats(argv[6], size_t(n) * k), b = read_floats(argv[7], size_t(k) * m);
    std::vector<float> c(size_t(n) * m);
    float *da, *db, *dc;
    check(cudaMalloc((void**)&da, a.size() * sizeof(float)), "cudaMalloc A");
    check(cudaMalloc((void**)&db, b.size() * sizeof(float)), "cudaMalloc B");
    check(cudaMalloc((void**)&dc, c.size() * sizeof(float)), "cudaMalloc C");
    check(cudaMemcpy(da, a.data(), a.size() * sizeof(float), cudaMemcpyHostToDevice), "copy A");
    check(cudaMemcpy(db, b.data(), b.size() * sizeof(float), cudaMemcpyHostToDevice), "copy B");

    auto run = [&] {
        if (!tiled) {
            dim3 block(tile, tile), grid((m + tile - 1) / tile, (n + tile - 1) / tile);
            LAUNCH(matmul_naive, grid, block, da, db, dc, n, k, m);
        } else if (tile == 8) {
            launch_tiled<8>(da, db, dc, n, k, m);
        } else if (tile == 16) {
            launch_tiled<16>(da, db, dc, n, k, m);
        } else {
            launch_tiled<32>(da, db, dc, n, k, m);
        }
    };
    run();  // warm-up (and the result we check)
    check(cudaGetLastError(), "launch");
    check(cudaDeviceSynchronize(), "kernel");
    auto start = std::chrono::steady_clock::now();
    for (int r = 0; r < repeats; ++r) run();
    check(cudaDeviceSynchronize(), "kernel");
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count() / repeats;

    check(cudaMemcpy(c.data(), dc, c.size() * sizeof(float), cudaMemcpyDeviceToHost), "copy C");
    FILE* f = std::fopen(argv[8], "wb");
    if (!f || std::fwrite(c.data(), sizeof(float), c.size(), f) != c.size()) {
        std::fprintf(stderr, "cannot write %s\n", argv[8]);
        return 1;
    }
    std::fclose(f);
    cudaFree(da);
    cudaFree(db);
    cudaFree(dc);
#ifdef __CUDACC__
    const char* target = "gpu";
#else
    const char* target = "cpu-emulation";
#endif
    std::printf("{\"kernel\": \"%s\", \"tile\": %d, \"n\": %d, \"k\": %d, \"m\": %d, \"target\": \"%s\", \"ms\": %.6f}\n",
                tiled ? "tiled" : "naive", tile, n, k, m, target, ms);
    return 0;
}
