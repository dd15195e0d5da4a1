package import Settings

extension LogPipeConfiguration {
    /// Reads LogPipe's settings (``LogPipeSettings``) from `config`.
    /// - Throws: ``ServiceConfigError`` naming the key and the bad value, or the conflict.
    package init(config: some SettingValues) throws(ServiceConfigError) {
        typealias S = LogPipeSettings
        let useStdin = try config.value(S.stdin)
        let file = try config.value(S.file)
        guard useStdin != (file != nil) else {
            throw ServiceConfigError(S.file, .conflict("give exactly one of --file and --stdin"))
        }
        guard let serverID = try config.value(S.serverID) else {
            throw ServiceConfigError(S.serverID, .conflict("required"))
        }
        let shipConsole = try config.value(S.console) == "ship"
        self.init(
            input: file.map { .file($0) } ?? .stdin, serverID: serverID, checkpointPath: try config.value(S.checkpoint),
            startAtEnd: try config.value(S.startAt) == "end", maxLineBytes: try config.value(S.maxLineBytes),
            shipConsole: shipConsole, batchLines: try config.value(S.batchLines),
            maxInFlightLines: try config.value(S.maxInFlightLines), maxInFlightBytes: try config.value(S.maxInFlightBytes),
            stallTimeout: .milliseconds(Int(try config.value(S.stallTimeout) * 1000)),
            exitAtEnd: try config.value(S.exitAtEnd))
        secretFile = try config.value(S.secretFile)
        compression = try config.value(S.compression)
        linger = .milliseconds(try config.value(S.lingerMs))
    }
}
