// process_memory.cpp — process_status_mib (process_memory.hpp).
#include <vigil/framework/process_memory.hpp>

#include <fstream>
#include <string>

namespace vigil {

double process_status_mib(const char *key) {
    std::ifstream f("/proc/self/status");
    std::string k;
    while (f >> k) {
        if (k == key) {
            double kib = 0;
            f >> kib;
            return kib / 1024.0;
        }
        std::getline(f, k);
    }
    return 0.0;
}

} // namespace vigil
