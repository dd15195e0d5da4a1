package import Settings
import Shared

/// LogPipe's settings, each declared once (key, flag, default, help); ``LogPipeConfiguration``
/// reads them and takes its defaults from them.
package enum LogPipeSettings {
    package static let input = Setting.string(
        "logpipe.input", flag: "input", default: "file", oneOf: ["file", "docker-json", "journald"],
        help: "What to read: a log file or stdin (file), a container's Docker json-file log given by --file (docker-json: docker inspect --format '{{.LogPath}}'), or a systemd unit's journal entries (journald).")
    package static let unit = Setting.optionalString(
        "logpipe.unit", flag: "unit", defaultText: "none, required for journald",
        help: "The systemd unit whose journal entries are shipped (journald input; `factorio` means `factorio.service`).")
    package static let journalDirectory = Setting.optionalString(
        "logpipe.journalDirectory", flag: "journal-directory", defaultText: "none, the system journal",
        help: "Read the journal files in this directory instead of the system journal (journald input).")
    package static let file = Setting.optionalString(
        "logpipe.file", flag: "file",
        help: "Log file to follow across rotations (with --input file: give exactly one of --file and --stdin; docker-json needs it).")
    package static let stdin = Setting.toggle(
        "logpipe.stdin", flag: "stdin", help: "Read standard input instead of a file; no checkpoint.")
    package static let serverID = Setting.optionalString(
        "logpipe.serverId", flag: "server-id", defaultText: "none, required",
        expected: "1-64 characters of A-Z a-z 0-9 . _ -", valid: { Identifier.isValidServerID($0) },
        help: "This server's id: the Kafka key and server header of its lines.")
    package static let checkpoint = Setting.optionalString(
        "logpipe.checkpoint", flag: "checkpoint", defaultText: "none, no checkpoint",
        help: "Checkpoint file (file, docker-json and journald inputs; journald keeps the journal cursor there).")
    package static let startAt = Setting.string(
        "logpipe.startAt", flag: "start-at", default: "beginning", oneOf: ["beginning", "end"],
        help: "Where to start in the file (or journal) without a checkpoint.")
    package static let secretFile = Setting.optionalString(
        "logpipe.secretFile", flag: "secret-file", defaultText: "none, lines unsigned",
        help: "File holding this server's signing secret.")
    package static let maxLineBytes = Setting.int(
        "logpipe.maxLineBytes", flag: "max-line-bytes", default: 512 * 1024, range: 1024...(16 << 20),
        help: "Longer lines go to the dead-letter topic, cut to this size.")
    package static let console = Setting.string(
        "logpipe.console", flag: "console", default: "ship", oneOf: ["ship", "drop"],
        help: "Ship engine/console lines to the console topic, or drop them.")
    package static let stallTimeout = Setting.double(
        "logpipe.stallTimeout", flag: "stall-timeout", default: 20, range: 1...86_400,
        help: "Seconds without delivery progress before the producer is replaced.")
    package static let compression = Setting.string(
        "logpipe.compression", flag: "compression", default: "lz4", oneOf: ["none", "gzip", "snappy", "lz4", "zstd"],
        help: "Producer compression.")
    package static let lingerMs = Setting.int(
        "logpipe.lingerMs", flag: "linger-ms", default: 5, range: 0...60_000, help: "Producer batching delay in milliseconds.")
    package static let batchLines = Setting.int(
        "logpipe.batchLines", flag: "batch-lines", default: 2048, range: 1...1_000_000, help: "Most lines read at once.")
    /// 20,000 lines of ~150 bytes keep LogPipe's peak RSS near 75 MiB at full speed; 50,000 cost
    /// 110 MiB and were no faster (`scripts/bench-logpipe.sh`).
    package static let maxInFlightLines = Setting.int(
        "logpipe.maxInFlightLines", flag: "max-in-flight-lines", default: 20_000, range: 1...10_000_000,
        help: "Reading pauses while this many lines are unacknowledged (the file is the buffer).")
    package static let maxInFlightBytes = Setting.int(
        "logpipe.maxInFlightBytes", flag: "max-in-flight-bytes", default: 32 << 20, range: 1024...(1 << 40),
        help: "Reading pauses while this many value bytes are unacknowledged.")
    package static let dockerStreams = Setting.string(
        "logpipe.dockerStreams", flag: "docker-streams", default: "stdout", oneOf: ["stdout", "stderr", "stdout,stderr"],
        help: "Which streams of a Docker json-file log to ship (--input docker-json).")
    package static let watch = Setting.string(
        "logpipe.watch", flag: "watch", default: "inotify", oneOf: ["inotify", "poll"],
        help: "How a followed file's new lines are noticed: inotify events on the file and its directory (polling stays the safety net, and the fallback when inotify is unavailable or its watch limit is reached), or polling only.")
    package static let pollMs = Setting.int(
        "logpipe.pollMs", flag: "poll-ms", default: 100, range: 10...600_000,
        help: "Milliseconds between looks at a followed file when no inotify event came (file and docker-json inputs).")
    package static let exitAtEnd = Setting.toggle(
        "logpipe.exitAtEnd", flag: "exit-at-end", help: "Exit once everything available is shipped and acknowledged.")

    /// Every LogPipe setting, in help order.
    package static let all: [AnySetting] = [
        input.erased, file.erased, stdin.erased, dockerStreams.erased, unit.erased, journalDirectory.erased, serverID.erased,
        checkpoint.erased, startAt.erased, secretFile.erased, maxLineBytes.erased, console.erased, stallTimeout.erased,
        compression.erased, lingerMs.erased, watch.erased, pollMs.erased,
        batchLines.erased, maxInFlightLines.erased, maxInFlightBytes.erased, exitAtEnd.erased,
    ]
    /// Every setting of the LogPipe command: its own and the common ones.
    package static let command: [AnySetting] = all + CommonSettings.service
}
