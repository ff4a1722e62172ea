// serialize.hpp — save and load a module's parameters and buffers through
// the SDK's Writer/Reader, i.e. inside a plugin's save/load.
//
// Format (native little-endian, as the rest of a plugin's state): magic
// "VNN1", u32 format version (1), u64 entry count, then per entry in
// registration order: name (Writer::str), u8 kind (0 parameter, 1 buffer),
// u8 dtype, u32 rank, i64 dims[rank], the raw elements. Loading requires the
// same names, kinds and shapes in the same order (the architecture is the
// plugin's, rebuilt from its parameters before load), converts dtype if it
// differs, and writes into the existing tensors on their current devices.
// Any mismatch is VIGIL_ERR_IO naming the entry.
#pragma once

#include <vigil/cpp/plugin.hpp>
#include <vigil/nn/module.hpp>

namespace vigil::nn {

void save_state(const Module &m, sdk::Writer &w);
void load_state(Module &m, sdk::Reader &r);

// Copies every parameter and buffer of src into the entry of dst with the
// same name and shape (e.g. a pretrained autoencoder's encoder into the Deep
// SVDD network); returns how many were copied.
int copy_matching_state(Module &dst, const Module &src);

} // namespace vigil::nn
