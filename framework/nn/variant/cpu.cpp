// variant/cpu.cpp — what makes vigil_nn_cpu the cpu variant: the descriptor's
// backend and probe, variant_device() = cpu, and no cuda kernels (asking for a
// cuda tensor is an error that says which library would have them).
#include "../src/backend.hpp"

#include <vigil/nn/nn.hpp>

namespace vigil::nn {

const vigil_backend kBackend = VIGIL_BACKEND_CPU;

int32_t probe(char *reason, size_t reason_size) noexcept {
    if (reason && reason_size) reason[0] = '\0';
    return 100;  // the host CPU can always run oneDNN
}

Device variant_device() { return Device::cpu; }
bool cuda_available() { return false; }

namespace detail {
Kernels &cuda_kernels() {
    sdk::fail(VIGIL_ERR_NO_DEVICE,
              "cuda tensors need the cuda variant (vigil_nn_cuda); this library, vigil_nn_cpu, has the cpu backend only");
}
void release_cuda_cache() {}
} // namespace detail

} // namespace vigil::nn
