import Settings

/// Settings of LogPipe; the defaults are those of the declarations in ``LogPipeSettings``.
package struct LogPipeConfiguration: Sendable {
    /// Where the lines come from.
    package enum Input: Sendable, Hashable {
        /// A log file followed across rotations (Factorio's stdout captured to a file, or its
        /// `--console-log`).
        case file(String)
        /// Standard input (`factorio --start-server … | LogPipe --stdin …`); no checkpoint.
        case stdin
        /// A container's Docker json-file log (`…-json.log`), followed across the driver's
        /// rotations like a file; each entry is decoded and split lines are reassembled
        /// (``DockerJSONDecoder``), keeping the entries of `streams`.
        case dockerJSON(String, streams: DockerStreams)

        /// The journal entries of a systemd unit (its `_SYSTEMD_UNIT`), from the system journal or
        /// from the journal files in `directory`.
        case journald(unit: String, directory: String?)

        /// The followed file's path (file and docker-json inputs), nil for stdin.
        package var path: String? {
            switch self {
            case .file(let path), .dockerJSON(let path, _): path
            case .stdin, .journald: nil
            }
        }
    }

    package var input: Input
    /// This game server's id: the Kafka key and `server` header of every line.
    package var serverID: String
    /// Where the checkpoint is kept (file, docker-json and journald inputs); nil keeps none.
    package var checkpointPath: String?
    /// Without a checkpoint: start at the end of the file (true) or at its beginning (false).
    package var startAtEnd: Bool
    /// Longest line shipped whole; longer ones go to the dead-letter topic, cut to this size.
    package var maxLineBytes: Int
    /// Ship engine and console lines to the console topic (otherwise they are filtered).
    package var shipConsole: Bool
    /// How often a followed file is looked at when no inotify event came (file and docker-json
    /// inputs; stdin and the journal wait for their input themselves, at most ``inputWait``).
    package var pollInterval: Duration
    /// Whether a followed file is watched through inotify (false: polled only).
    package var inotify: Bool = LogPipeSettings.watch.defaultValue == "inotify"
    /// How long one read of stdin or the journal waits for input before the loop looks around.
    package var inputWait: Duration = .milliseconds(100)
    /// Most lines read at once.
    package var batchLines: Int
    /// Reading pauses while this many lines are unacknowledged (the file is the buffer).
    package var maxInFlightLines: Int
    /// Reading pauses while this many value bytes are unacknowledged.
    package var maxInFlightBytes: Int
    /// No delivery progress for this long while lines are in flight: the producer is replaced
    /// and everything unacknowledged is re-sent (an idempotent producer never recovers from a
    /// broker that lost its state).
    package var stallTimeout: Duration
    /// The checkpoint is written at most this often while lines flow (and at every stop).
    package var checkpointInterval: Duration
    /// On a graceful stop, how long to wait for outstanding acknowledgements.
    package var shutdownGrace: Duration
    /// Stop (exit 0) once everything available was shipped and acknowledged (backfills, benchmarks).
    package var exitAtEnd: Bool
    /// Version string sent in the `logpipe-version` header.
    package var version: String
    /// The file holding this server's signing secret; nil ships lines unsigned.
    package var secretFile: String? = LogPipeSettings.secretFile.defaultValue
    /// Producer compression codec (librdkafka `compression.codec`).
    package var compression: String = LogPipeSettings.compression.defaultValue
    /// Producer batching delay.
    package var linger: Duration = .milliseconds(LogPipeSettings.lingerMs.defaultValue)

    package init(
        input: Input, serverID: String, checkpointPath: String? = nil, startAtEnd: Bool = false,
        maxLineBytes: Int = LogPipeSettings.maxLineBytes.defaultValue, shipConsole: Bool = true,
        pollInterval: Duration = .milliseconds(LogPipeSettings.pollMs.defaultValue), batchLines: Int = LogPipeSettings.batchLines.defaultValue,
        maxInFlightLines: Int = LogPipeSettings.maxInFlightLines.defaultValue,
        maxInFlightBytes: Int = LogPipeSettings.maxInFlightBytes.defaultValue,
        stallTimeout: Duration = .milliseconds(Int(LogPipeSettings.stallTimeout.defaultValue * 1000)),
        checkpointInterval: Duration = .milliseconds(250),
        shutdownGrace: Duration = .seconds(10), exitAtEnd: Bool = false, version: String = LogPipeVersion.current
    ) {
        self.input = input
        self.serverID = serverID
        self.checkpointPath = checkpointPath
        self.startAtEnd = startAtEnd
        self.maxLineBytes = maxLineBytes
        self.shipConsole = shipConsole
        self.pollInterval = pollInterval
        self.batchLines = batchLines
        self.maxInFlightLines = maxInFlightLines
        self.maxInFlightBytes = maxInFlightBytes
        self.stallTimeout = stallTimeout
        self.checkpointInterval = checkpointInterval
        self.shutdownGrace = shutdownGrace
        self.exitAtEnd = exitAtEnd
        self.version = version
    }
}

/// The version LogPipe reports in the `logpipe-version` header.
package enum LogPipeVersion {
    package static let current = "0.3.0"
}
