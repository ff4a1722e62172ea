/* headers_c99.c — the SDK's C headers must compile as strict C99 with every
 * warning an error; this object library fails the build otherwise. */
#include <vigil/vigil.h>

/* Use each type once so nothing is optimised out of the check. */
size_t vigil_abi_c99_sizes(void) {
    return sizeof(vigil_tensor) + sizeof(vigil_shape) + sizeof(vigil_host) + sizeof(vigil_plugin_desc) +
           sizeof(vigil_detector_iface) + sizeof(vigil_extractor_iface) + sizeof(vigil_evaluator_iface) +
           sizeof(vigil_writer) + sizeof(vigil_reader) + sizeof(vigil_metric_sink);
}
