package import Shared

extension LiveState {
    /// Chat seen from both the mod and the console within this window (same player, same text)
    /// is shown once.
    package static let chatDuplicateWindowMillis: Int64 = 10_000

    /// Applies a server event from PacketIngest (header `type` = `event` on `live`) and returns
    /// what clients should be told, in order. `event.time` is used as its arrival time.
    package mutating func apply(event: ServerEvent) -> [LiveEvent] {
        let at = event.time
        noteActivity(at, tick: event.tick.map { UInt64(clamping: $0) } ?? 0)
        switch event.kind {
        case .serverStarted, .sessionStart:
            return setStatus(.online, at: at).map { [$0] } ?? []
        case .serverStopped:
            var events: [LiveEvent] = setStatus(.offline, at: at).map { [$0] } ?? []
            // A stopped server has nobody online; the markers go away.
            for index in players.keys.sorted() where players[index]!.online {
                players[index]!.online = false
                events.append(.player(players[index]!))
            }
            return events
        case .join, .leave, .kick, .ban:
            var events: [LiveEvent] = [.notice(event)]
            if status != .online, event.kind == .join { setStatus(.online, at: at).map { events.append($0) } }
            if let name = event.player, let index = players.first(where: { $0.value.name == name })?.key {
                let online = event.kind == .join
                if players[index]!.online != online {
                    players[index]!.online = online
                    events.append(.player(players[index]!))
                }
            }
            return events
        case .chat:
            guard let text = event.message else { return [] }
            let player = event.player.flatMap { $0 == "<server>" ? nil : $0 }
            let entry = ChatEntry(player: player, message: text, tick: 0, receivedAt: at, source: .console)
            return addChat(entry).map { [.chat($0)] } ?? []
        case .saving:
            return [.notice(event)]
        case .sequenceGap:
            let (sum, overflow) = missingLines.addingReportingOverflow(max(0, event.missing ?? 0))
            missingLines = overflow ? .max : sum
            return [.notice(event)]
        }
    }

    /// Adds a chat entry unless the same message from the other source arrived within
    /// ``chatDuplicateWindowMillis``; returns the entry when it is new.
    mutating func addChat(_ entry: ChatEntry) -> ChatEntry? {
        for i in chat.indices.reversed() {
            let other = chat[i]
            if abs(other.receivedAt - entry.receivedAt) > Self.chatDuplicateWindowMillis {
                if other.receivedAt < entry.receivedAt - Self.chatDuplicateWindowMillis { break }
                continue
            }
            if !other.matched, other.source != entry.source, other.player == entry.player,
                other.message == entry.message
            {
                chat[i].matched = true
                return nil
            }
        }
        chat.append(entry)
        if chat.count > chatCapacity { chat.removeFirst(chat.count - chatCapacity) }
        return entry
    }

    /// Sets the status; returns the event to broadcast when it changed.
    @discardableResult
    mutating func setStatus(_ new: ServerStatus, at: Int64) -> LiveEvent? {
        guard new != status else { return nil }
        status = new
        statusSince = at
        return .status(new, at: at)
    }

    /// The status as viewers should see it at `now`: `offline` when stopped, `stale` when nothing
    /// arrived for `staleAfterSeconds`, else `online` (or `unknown` before anything arrived).
    package func displayStatus(now: Int64, staleAfterSeconds: Int) -> String {
        if status == .offline { return "offline" }
        guard let last = lastActivityAt else { return status.rawValue }
        return now - last > Int64(staleAfterSeconds) * 1000 ? "stale" : "online"
    }
}
