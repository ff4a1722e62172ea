// log_density.hpp — the Gaussian KDE log-density of many points at once, for
// one or several bandwidths, in blocks on the backend. Used by scoring and by
// the cross-validated bandwidth search (bandwidth.cpp).
#pragma once

#include <vigil/compute/backend.hpp>

#include <cstdint>
#include <vector>

namespace vigil_kde {

// log p̂_h(x) = logsumexp_j(−‖x − t_j‖² / (2h²)) − log N − (D/2) log(2π h²)
// for the m rows of q against the N training rows of `train`, for every h in
// `bandwidths`: out[b * m + i] for bandwidth b and row i. Distances come from
// Backend::sqdist in blocks of rows (scratch about block x N floats); the sum
// is taken relative to the row's smallest distance, so it never underflows to
// log 0 however small h is.
void log_density(vigil::compute::Backend &backend, const vigil::sdk::Host &host, const vigil::compute::Resident &train,
                 const float *q, int64_t m, const std::vector<double> &bandwidths, double *out);

} // namespace vigil_kde
