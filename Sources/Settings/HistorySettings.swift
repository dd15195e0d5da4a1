/// The history settings shared by the services (issue 16): how long the history topics keep
/// their records and how finely tile versions are thinned. Each is declared here once.
package enum HistorySettings {
    /// Seconds the history topics (`tile-history`, `player-history`) keep a record (their
    /// `retention.ms`), and how far back the gateway's history store answers.
    package static let retention = Setting.int(
        "history.retention", flag: "history-retention", default: 30 * 86_400, range: 1...(10 * 365 * 86_400),
        help: "Seconds of history kept: retention of the history topics and of the gateway's history store.")
    /// Seconds of one thinning interval: the renderer keys tile versions by interval, the
    /// gateway keeps the last version of each tile per interval.
    package static let interval = Setting.int(
        "history.interval", flag: "history-interval", default: 60, range: 1...86_400,
        help: "Seconds of one history interval: the last version of a tile per interval is kept.")

    /// Both settings, in help order.
    package static let all: [AnySetting] = [retention.erased, interval.erased]
}
