#ifndef PHAPAI_CSQLITE_SHIM_H
#define PHAPAI_CSQLITE_SHIM_H
#include <sqlite3.h>
#endif
