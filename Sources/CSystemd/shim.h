// libsystemd's journal API (Debian's libsystemd-dev, systemd 252): only the Journal target imports it.
#include <systemd/sd-journal.h>
