package import Settings

extension LogPipeConfiguration {
    /// Reads LogPipe's settings (``LogPipeSettings``) from `config`.
    /// - Throws: ``ServiceConfigError`` naming the key and the bad value, or the conflict.
    package init(config: some SettingValues) throws(ServiceConfigError) {
        typealias S = LogPipeSettings
        let useStdin = try config.value(S.stdin)
        let file = try config.value(S.file)
        let input: Input
        switch try config.value(S.input) {
        case "docker-json":
            guard !useStdin else {
                throw ServiceConfigError(S.stdin, .conflict("--input docker-json reads a file: give --file, not --stdin"))
            }
            guard let file else {
                throw ServiceConfigError(
                    S.file,
                    .conflict(
                        "--input docker-json needs --file: the container's json-file log (docker inspect --format '{{.LogPath}}' CONTAINER)"
                    ))
            }
            input = .dockerJSON(file, streams: DockerStreams(setting: try config.value(S.dockerStreams)))
        case "journald":
            guard let unit = try config.value(S.unit) else {
                throw ServiceConfigError(S.unit, .conflict("required with --input journald"))
            }
            guard file == nil && !useStdin else {
                throw ServiceConfigError(S.file, .conflict("--input journald reads the journal: give neither --file nor --stdin"))
            }
            input = .journald(unit: unit.contains(".") ? unit : unit + ".service", directory: try config.value(S.journalDirectory))
        default:
            guard useStdin != (file != nil) else {
                throw ServiceConfigError(S.file, .conflict("give exactly one of --file and --stdin"))
            }
            input = file.map { .file($0) } ?? .stdin
        }
        guard let serverID = try config.value(S.serverID) else {
            throw ServiceConfigError(S.serverID, .conflict("required"))
        }
        let shipConsole = try config.value(S.console) == "ship"
        self.init(
            input: input, serverID: serverID, checkpointPath: try config.value(S.checkpoint),
            startAtEnd: try config.value(S.startAt) == "end", maxLineBytes: try config.value(S.maxLineBytes),
            shipConsole: shipConsole, pollInterval: .milliseconds(try config.value(S.pollMs)),
            batchLines: try config.value(S.batchLines),
            maxInFlightLines: try config.value(S.maxInFlightLines), maxInFlightBytes: try config.value(S.maxInFlightBytes),
            stallTimeout: .milliseconds(Int(try config.value(S.stallTimeout) * 1000)),
            exitAtEnd: try config.value(S.exitAtEnd))
        secretFile = try config.value(S.secretFile)
        compression = try config.value(S.compression)
        linger = .milliseconds(try config.value(S.lingerMs))
        inotify = try config.value(S.watch) == "inotify"
    }
}
