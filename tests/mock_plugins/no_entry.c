/* no_entry.c — a shared library that exports functions but not
 * vigil_plugin_entry: the host must refuse it as "not a Vigil plugin". */
int vigil_something_else(void) { return 42; }
