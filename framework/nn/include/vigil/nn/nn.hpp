// nn.hpp — vigil::nn, the neural-network engine deep plugins share
// (DESIGN.md, "The neural-network engine"). Umbrella header plus what ties
// the engine to the plugin variant it is linked into.
//
// A deep plugin's method source is written once against this API and built
// twice by vigil_add_plugin: its cpu variant links vigil_nn_cpu (oneDNN), its
// cuda variant vigil_nn_cuda (cuDNN + cuBLAS + small CUDA kernels; cpu tensors
// remain available there for data handling and checks). variant_device()
// tells the method where to put its model; kBackend/probe fill the plugin
// descriptor (VIGIL_NN_PLUGIN).
#pragma once

#include <vigil/nn/batches.hpp>
#include <vigil/nn/flow.hpp>
#include <vigil/nn/models.hpp>
#include <vigil/nn/module.hpp>
#include <vigil/nn/ops.hpp>
#include <vigil/nn/optim.hpp>
#include <vigil/nn/random.hpp>
#include <vigil/nn/serialize.hpp>
#include <vigil/nn/tensor.hpp>

#include <vigil/cpp/plugin.hpp>

namespace vigil::nn {

// cpu in vigil_nn_cpu, cuda in vigil_nn_cuda.
Device variant_device();
// Whether this library can create cuda tensors here (false in vigil_nn_cpu,
// and in vigil_nn_cuda without a usable device).
bool cuda_available();

extern const vigil_backend kBackend;
int32_t probe(char *reason, size_t reason_size) noexcept;

// CPU thread budget of the calling thread (OpenMP loops and oneDNN), e.g.
// set_num_threads(host.threads()) at the start of fit/score. Default: the
// OpenMP default of the process.
void set_num_threads(int n);
int num_threads();

// Tensor memory: large freed blocks are kept for reuse (cpu: blocks of 256 KiB
// and more, up to 1 GiB in all; cuda: every block, up to 2 GiB), because a
// training loop allocates the same sizes at every step. This hands the kept
// blocks back, e.g. at the end of a plugin's fit.
void release_cached_memory();

} // namespace vigil::nn

#define VIGIL_NN_PLUGIN(Class, NAME, VERSION, DESCRIPTION, SCHEMA) \
    VIGIL_PLUGIN_EX(Class, NAME, VERSION, DESCRIPTION, SCHEMA, ::vigil::nn::kBackend, &::vigil::nn::probe)
