/*
 * vigil.h — umbrella header of the Vigil SDK: include this one.
 * The C ABI is split by topic: vigil_types.h (data that crosses), vigil_host.h
 * (services the host hands in), vigil_plugin.h (entry symbol, descriptor,
 * function tables). C++ authors may add <vigil/cpp/plugin.hpp>.
 */
#ifndef VIGIL_H
#define VIGIL_H
#include "vigil_types.h"
#include "vigil_host.h"
#include "vigil_plugin.h"
#endif
