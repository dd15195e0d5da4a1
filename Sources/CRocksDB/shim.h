// RocksDB's C API (Debian's librocksdb-dev, 7.8): only the LocalStore target imports it.
#include <rocksdb/c.h>
