// librdkafka, compiled against Debian's librdkafka-dev headers (2.0.2); at run time the
// self-contained 2.16 library from .tools/rdk is loaded (see scripts/deps.sh). The C ABI is stable.
#include <librdkafka/rdkafka.h>
